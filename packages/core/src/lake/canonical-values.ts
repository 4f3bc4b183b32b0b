/**
 * Which in-memory values are canonical for each column type (see `config/column-types.ts`), as the writers
 * check them before buffering a record.
 */
import { decimalOf, type CanonicalValue, type ColumnType, type ScalarType } from "../config";
import { unscaledDecimal } from "./decimal128";

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const CANONICAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Why `value` is not a canonical value of `type`, or undefined when it is. `null` is always acceptable here;
 * nullability is the column's business.
 *
 * @example canonicalValueProblem("int", 2.5) // "expected a 32-bit integer, got 2.5"
 */
export function canonicalValueProblem(type: ColumnType, value: CanonicalValue | undefined): string | undefined {
  return canonicalValueCheckOf(type)(value);
}

export type CanonicalValueCheck = (value: CanonicalValue | undefined) => string | undefined;
const checks = new Map<string, CanonicalValueCheck>();

/**
 * `canonicalValueProblem` for one column type, built once: writers call it per value of every row, so the
 * type is parsed here rather than per call.
 *
 * @example canonicalValueCheckOf("timestamp")(12n) // undefined
 */
export function canonicalValueCheckOf(type: ColumnType): CanonicalValueCheck {
  let check = checks.get(type);
  if (!check) {
    check = buildCanonicalValueCheck(type);
    checks.set(type, check);
  }
  return check;
}

function buildCanonicalValueCheck(type: ColumnType): CanonicalValueCheck {
  const dec = decimalOf(type);
  if (dec) {
    return (value) => {
      if (value === null || value === undefined) return undefined;
      if (typeof value !== "string") return `expected a decimal string, got ${showValue(value)}`;
      const parsed = unscaledDecimal(value, dec);
      return typeof parsed === "string" ? parsed : undefined;
    };
  }
  switch (type as ScalarType) {
    case "string":
    case "json":
      return (value) => (value === null || value === undefined || typeof value === "string" ? undefined : `expected a string, got ${showValue(value)}`);
    case "int":
      return (value) =>
        value === null || value === undefined || (Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX)
          ? undefined
          : `expected a 32-bit integer, got ${showValue(value)}`;
    case "bigint":
      return (value) =>
        value === null || value === undefined || (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX)
          ? undefined
          : `expected a 64-bit bigint, got ${showValue(value)}`;
    case "double":
      return (value) => (value === null || value === undefined || typeof value === "number" ? undefined : `expected a number, got ${showValue(value)}`);
    case "boolean":
      return (value) => (value === null || value === undefined || typeof value === "boolean" ? undefined : `expected a boolean, got ${showValue(value)}`);
    case "date":
      return (value) =>
        value === null || value === undefined || (typeof value === "string" && CANONICAL_DATE.test(value)) ? undefined : `expected a date "YYYY-MM-DD", got ${showValue(value)}`;
    case "timestamp":
      return (value) =>
        value === null || value === undefined || (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX)
          ? undefined
          : `expected a timestamp as bigint microseconds, got ${showValue(value)}`;
  }
  return (value) => (value === null || value === undefined ? undefined : `unsupported column type ${JSON.stringify(type)}`);
}

/** A value as shown in error messages: bigints with `n`, long values cut to 80 characters. */
export function showValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
