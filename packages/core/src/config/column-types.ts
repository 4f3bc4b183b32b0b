/**
 * The column type vocabulary of the config contract. Each type is declared once here with everything
 * derived from it: how a raw value is coerced, its Glue/Athena type and its DuckDB type. The Arrow/Parquet
 * mapping lives in `lake/arrow-columns.ts` beside the code that builds the vectors.
 *
 * Canonical in-memory values (what validated rows hold):
 * - string, json → string · int, double → number · bigint → bigint · boolean → boolean
 * - decimal(p,s) → exact string with exactly s fraction digits ("12.30")
 * - date → "YYYY-MM-DD" · timestamp → bigint microseconds since the epoch, UTC (keeps datetime2 precision past ms)
 */
import { parseTimestampMicros, formatDate } from "./time";

export type ScalarType = "string" | "int" | "bigint" | "double" | "boolean" | "date" | "timestamp" | "json";
export type ColumnType = ScalarType | `decimal(${number},${number})`;
export type CanonicalValue = string | number | bigint | boolean | null;

export interface DecimalType {
  precision: number;
  scale: number;
}

const DECIMAL = /^decimal\((\d{1,2}),(\d{1,2})\)$/;
export const SCALAR_TYPES: readonly ScalarType[] = ["string", "int", "bigint", "double", "boolean", "date", "timestamp", "json"];

/** Parses `decimal(p,s)`; undefined for any other type. */
export function decimalOf(type: string): DecimalType | undefined {
  const m = DECIMAL.exec(type);
  if (!m) return undefined;
  return { precision: Number(m[1]), scale: Number(m[2]) };
}

/** Why a type string is not in the vocabulary, or undefined when it is. */
export function columnTypeProblem(type: string): string | undefined {
  if ((SCALAR_TYPES as readonly string[]).includes(type)) return undefined;
  const dec = decimalOf(type);
  if (!dec) return `unknown type "${type}" (expected one of ${SCALAR_TYPES.join(", ")} or decimal(p,s))`;
  if (dec.precision < 1 || dec.precision > 38) return `decimal precision must be 1..38, got ${dec.precision}`;
  if (dec.scale > dec.precision) return `decimal scale ${dec.scale} exceeds precision ${dec.precision}`;
  return undefined;
}

/** Glue / Athena (Hive DDL) type. */
export function glueType(type: ColumnType): string {
  const dec = decimalOf(type);
  if (dec) return `decimal(${dec.precision},${dec.scale})`;
  const map: Record<ScalarType, string> = {
    string: "string", json: "string", int: "int", bigint: "bigint", double: "double",
    boolean: "boolean", date: "date", timestamp: "timestamp",
  };
  return map[type as ScalarType];
}

/** DuckDB type, used for the typed empty views of datasets that have no files yet. */
export function duckdbType(type: ColumnType): string {
  const dec = decimalOf(type);
  if (dec) return `DECIMAL(${dec.precision},${dec.scale})`;
  const map: Record<ScalarType, string> = {
    string: "VARCHAR", json: "VARCHAR", int: "INTEGER", bigint: "BIGINT", double: "DOUBLE",
    boolean: "BOOLEAN", date: "DATE", timestamp: "TIMESTAMPTZ",
  };
  return map[type as ScalarType];
}

/** The result of coercing one raw value: the canonical value, or a reason it was refused. */
export type Coerced = { ok: true; value: CanonicalValue } | { ok: false; reason: string };

const INT = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * Coerces a raw value (from JSON, CSV text, a database driver) into the canonical value of `type`.
 * Strings are accepted for every type so that text formats (CSV) and JSON share one path.
 *
 * @example coerceValue("decimal(10,2)", "12.3") // { ok: true, value: "12.30" }
 */
export function coerceValue(type: ColumnType, raw: unknown): Coerced {
  return coercerOf(type)(raw);
}

export type Coercer = (raw: unknown) => Coerced;
const coercers = new Map<string, Coercer>();

/**
 * The coercer of one column type, built once: a file of millions of rows calls it per value, so the type is
 * parsed here rather than per call (`decimalOf` is a regex).
 *
 * @example const toTimestamp = coercerOf("timestamp"); toTimestamp("2026-01-02T03:04:05Z") // { ok: true, value: 1767323045000000n }
 */
export function coercerOf(type: ColumnType): Coercer {
  let coercer = coercers.get(type);
  if (!coercer) {
    coercer = buildCoercer(type);
    coercers.set(type, coercer);
  }
  return coercer;
}

function buildCoercer(type: ColumnType): Coercer {
  const dec = decimalOf(type);
  if (dec) return (raw) => coerceDecimal(dec, raw);
  switch (type as ScalarType) {
    case "string":
      return (raw) => {
        if (typeof raw === "string") return { ok: true, value: raw };
        if (typeof raw === "number" || typeof raw === "bigint" || typeof raw === "boolean") return { ok: true, value: String(raw) };
        return refuse("a string", raw);
      };
    case "json":
      return (raw) => (typeof raw === "string" ? { ok: true, value: raw } : { ok: true, value: JSON.stringify(raw) });
    case "int":
      return (raw) => {
        const n = toInteger(raw);
        if (n === undefined || n < -2147483648n || n > 2147483647n) return refuse("a 32-bit integer", raw);
        return { ok: true, value: Number(n) };
      };
    case "bigint":
      return (raw) => {
        const n = toInteger(raw);
        if (n === undefined || n < -(2n ** 63n) || n >= 2n ** 63n) return refuse("a 64-bit integer", raw);
        return { ok: true, value: n };
      };
    case "double":
      return (raw) => {
        if (typeof raw === "number" && Number.isFinite(raw)) return { ok: true, value: raw };
        if (typeof raw === "string" && NUMBER.test(raw.trim())) return { ok: true, value: Number(raw.trim()) };
        return refuse("a finite number", raw);
      };
    case "boolean":
      return (raw) => {
        if (typeof raw === "boolean") return { ok: true, value: raw };
        const text = typeof raw === "string" ? raw.trim().toLowerCase() : typeof raw === "number" ? String(raw) : undefined;
        if (text === "true" || text === "1") return { ok: true, value: true };
        if (text === "false" || text === "0") return { ok: true, value: false };
        return refuse("a boolean", raw);
      };
    case "date":
      return (raw) => {
        if (typeof raw !== "string") return refuse("a date (YYYY-MM-DD)", raw);
        const micros = parseTimestampMicros(raw.trim());
        if (micros === undefined) return refuse("a date (YYYY-MM-DD)", raw);
        return { ok: true, value: formatDate(micros) };
      };
    case "timestamp":
      return (raw) => {
        if (typeof raw === "number" && Number.isFinite(raw)) return { ok: true, value: BigInt(Math.round(raw * 1000)) };
        if (raw instanceof Date && !Number.isNaN(raw.getTime())) return { ok: true, value: BigInt(raw.getTime()) * 1000n };
        if (typeof raw !== "string") return refuse("an ISO 8601 timestamp or epoch milliseconds", raw);
        const text = raw.trim();
        const micros = parseUtcTimestampFast(text) ?? parseTimestampMicros(text);
        if (micros === undefined) return refuse("an ISO 8601 timestamp", raw);
        return { ok: true, value: micros };
      };
  }
  return () => ({ ok: false, reason: `unsupported type ${type}` });
}

const ZERO = 48;
/** Days per month of a non-leap year, January first. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common shape of machine-written timestamps, `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`, parsed without the
 * general regex: it is most of the per-value cost of CSV files. Anything else (zones, dates alone, years
 * before 1900) returns undefined and goes to `parseTimestampMicros`, whose results this matches exactly.
 */
function parseUtcTimestampFast(text: string): bigint | undefined {
  const length = text.length;
  const last = text.charCodeAt(length - 1);
  if (length < 20 || length > 30 || (last !== 90 /* Z */ && last !== 122 /* z */)) return undefined;
  const sep = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (sep !== 84 /* T */ && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > MONTH_DAYS[month - 1]! + (month === 2 && leap ? 1 : 0)) return undefined;
  let micros = 0;
  if (length > 20) {
    // ".f" up to ".fffffffff": digits past microseconds are truncated, like parseTimestampMicros.
    const fractionDigits = length - 21;
    if (text.charCodeAt(19) !== 46 || fractionDigits < 1) return undefined;
    const fraction = digitsAt(text, 20, fractionDigits);
    if (fraction < 0) return undefined;
    micros = fractionDigits <= 6 ? fraction * 10 ** (6 - fractionDigits) : Math.floor(fraction / 10 ** (fractionDigits - 6));
  }
  const total = Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + micros;
  // Exact as a double up to year ~2255; beyond, BigInt arithmetic keeps every microsecond.
  return Number.isSafeInteger(total) ? BigInt(total) : BigInt(Date.UTC(year, month - 1, day, hour, minute, second)) * 1000n + BigInt(micros);
}

/** The number written by `count` ASCII digits at `from`, or -1 if any is not a digit. A module function, not a closure: it runs per value. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function toInteger(raw: unknown): bigint | undefined {
  if (typeof raw === "bigint") return raw;
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
  if (typeof raw === "string" && INT.test(raw.trim())) return BigInt(raw.trim());
  return undefined;
}

function coerceDecimal({ precision, scale }: DecimalType, raw: unknown): Coerced {
  // Numbers are accepted only when their shortest decimal form is exact enough; drivers should send strings.
  const text = typeof raw === "number" && Number.isFinite(raw) ? String(raw) : typeof raw === "string" ? raw.trim() : undefined;
  const m = text === undefined || /e/i.test(text) ? null : DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return refuse(`a decimal(${precision},${scale})`, raw);
  const sign = m[1] === "-" ? "-" : "";
  const whole = (m[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const fraction = m[3] ?? "";
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    return { ok: false, reason: `expected at most ${scale} decimal places, got ${JSON.stringify(raw)}` };
  }
  if (whole !== "0" && whole.length > precision - scale) {
    return { ok: false, reason: `expected at most ${precision - scale} integer digits, got ${JSON.stringify(raw)}` };
  }
  const padded = fraction.slice(0, scale).padEnd(scale, "0");
  const isZero = /^0*$/.test(whole + padded);
  return { ok: true, value: `${isZero ? "" : sign}${whole}${scale > 0 ? "." + padded : ""}` };
}

function refuse(expected: string, raw: unknown): Coerced {
  const shown = typeof raw === "bigint" ? `${raw}n` : JSON.stringify(raw);
  const text = shown === undefined ? String(raw) : shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
  return { ok: false, reason: `expected ${expected}, got ${text}` };
}
