/**
 * Exact timestamp handling. JS Dates keep milliseconds only; SQL Server datetime2(7) and GA's
 * timestamp_micros carry more, so timestamps travel as bigint microseconds since the epoch (UTC).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or timestamp into microseconds since the epoch. A value without a zone is read as UTC.
 * Digits past microseconds are truncated. Returns undefined for anything that is not a real calendar instant.
 *
 * @example parseTimestampMicros("2026-01-02T03:04:05.1234567Z") // 1767323045123456n
 */
export function parseTimestampMicros(text: string): bigint | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) =>
    p === undefined ? undefined : Number(p),
  ) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month! - 1) return undefined; // 2026-02-30 and friends
  const fraction = BigInt((m[7] ?? "").slice(0, 6).padEnd(6, "0"));
  return BigInt(ms) * 1000n + fraction - offsetMinutes(m[8]) * 60_000_000n;
}

function offsetMinutes(zone: string | undefined): bigint {
  if (!zone || zone === "Z" || zone === "z") return 0n;
  const sign = zone.startsWith("-") ? -1n : 1n;
  const digits = zone.slice(1).replace(":", "");
  return sign * (BigInt(digits.slice(0, 2)) * 60n + BigInt(digits.slice(2, 4) || "0"));
}

/** `YYYY-MM-DD` (UTC) of a microsecond timestamp. */
export function formatDate(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString().slice(0, 10);
}

/** ISO 8601 with microseconds, e.g. `2026-01-02T03:04:05.123456Z`. */
export function formatTimestamp(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number(ms)).toISOString(); // ...ss.mmmZ
  return `${iso.slice(0, -1)}${String(rest).padStart(3, "0")}Z`;
}

/** Hive partition values (`dt`, `hour`) of a microsecond timestamp, in UTC. */
export function partitionOf(micros: bigint): { dt: string; hour: string } {
  const iso = new Date(Number(micros / 1000n)).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** Days since the epoch of a `YYYY-MM-DD` date (Arrow/Parquet DATE32). */
export function epochDays(date: string): number {
  return Math.round(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000);
}

export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
