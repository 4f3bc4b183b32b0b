/**
 * Reading bronze values as the report needs them: instants as ISO text (comparable as strings), exact decimals
 * as text, and exact decimal sums (never through floating point: spend must match the orders to the cent).
 */

/**
 * An instant from bronze (DuckDB's JSON form `2026-10-01 08:00:00.123+00`, ISO text, or epoch ms) as ISO text,
 * or undefined when it is not one.
 *
 * @example instantOf("2026-10-01 08:00:00+00") // "2026-10-01T08:00:00.000Z"
 */
export function instantOf(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === "number") return Number.isFinite(value) ? new Date(value).toISOString() : undefined;
  if (typeof value !== "string") return undefined;
  // Only ISO 8601 shapes (Date.parse alone takes "12" for December 2001).
  const m = INSTANT.exec(value.trim());
  if (!m) return undefined;
  const [, date, time = "00:00:00", zone = "Z"] = m;
  const offset = zone === "Z" || zone === "z" ? "Z" : zone.length === 3 ? `${zone}:00` : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  if (Number.isNaN(ms)) return undefined;
  // Reject dates JavaScript rolls over (2026-02-30 → March 2nd).
  if (new Date(Date.parse(`${date}T00:00:00Z`)).toISOString().slice(0, 10) !== date) return undefined;
  return new Date(ms).toISOString();
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** Whether text is an exact decimal such as `12.50`. */
export function isDecimalText(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value.trim());
}

/**
 * The exact sum of decimal texts, with the largest scale among them.
 *
 * @example sumDecimals(["12.50", "0.05", "-1"]) // "11.55"
 */
export function sumDecimals(values: string[]): string {
  let scale = 0;
  const parts = values.map((v) => {
    const [, sign, whole, fraction = ""] = DECIMAL.exec(v.trim()) ?? [];
    if (whole === undefined) throw new Error(`reports: ${JSON.stringify(v)} is not a decimal`);
    scale = Math.max(scale, fraction.length);
    return { negative: sign === "-", whole, fraction };
  });
  let total = 0n;
  for (const p of parts) {
    const units = BigInt(p.whole + p.fraction.padEnd(scale, "0"));
    total += p.negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The `utm_source` of a landing URL, or undefined (no URL, not a URL, no utm_source). */
export function utmSourceOf(url: unknown): string | undefined {
  if (typeof url !== "string" || url === "") return undefined;
  try {
    return new URL(url).searchParams.get("utm_source")?.trim() || undefined;
  } catch {
    return undefined;
  }
}
