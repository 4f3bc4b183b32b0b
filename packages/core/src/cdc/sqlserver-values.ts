/**
 * Exact values out of SQL Server. Through the `mssql` driver, decimal and money arrive as JS numbers (precision
 * lost past 15 digits), datetime2 as a millisecond Date with the remaining 100 ns ticks in a `nanosecondsDelta`
 * side property, binary as a Buffer and uniqueidentifier upper-case. So the adapter converts in the SELECT
 * (`exactSelectExpression`), and `canonicalOf` converts whatever still arrives as a driver value. Both produce
 * the same text, which the dataset's coercers turn into canonical values (see `config/column-types.ts`).
 */
import { SourceValueError } from "./errors";

type TypeFamily = "decimal" | "money" | "bigint" | "localDateTime" | "offsetDateTime" | "date" | "time" | "guid" | "binary" | "image" | "other";

const FAMILIES: Record<string, TypeFamily> = {
  decimal: "decimal",
  numeric: "decimal",
  money: "money",
  smallmoney: "money",
  bigint: "bigint",
  datetime2: "localDateTime",
  datetime: "localDateTime",
  smalldatetime: "localDateTime",
  datetimeoffset: "offsetDateTime",
  date: "date",
  time: "time",
  uniqueidentifier: "guid",
  binary: "binary",
  varbinary: "binary",
  rowversion: "binary",
  timestamp: "binary", // `timestamp` is rowversion's old name, and what the catalog views report
  image: "image",
};

function familyOf(sqlType: string): TypeFamily {
  return FAMILIES[sqlType.trim().toLowerCase()] ?? "other";
}

/**
 * The T-SQL expression that selects a column as exact text, or the column itself when the driver's own value
 * is already exact (strings, int, bit, float). `column` must already be a quoted reference such as `ct.[amount]`.
 * Styles: https://learn.microsoft.com/sql/t-sql/functions/cast-and-convert-transact-sql#date-and-time-styles
 *
 * @example exactSelectExpression("ct.[amount]", "decimal") // "CAST(ct.[amount] AS varchar(64))"
 */
export function exactSelectExpression(column: string, sqlType: string): string {
  switch (familyOf(sqlType)) {
    case "decimal":
      return `CAST(${column} AS varchar(64))`;
    case "money":
      return `CONVERT(varchar(64), ${column}, 2)`; // style 0 (and CAST) would round money to 2 decimals; style 2 keeps all 4
    case "bigint":
      return `CAST(${column} AS varchar(20))`;
    case "localDateTime":
      return `CONVERT(varchar(40), ${column}, 126)`; // yyyy-mm-ddThh:mi:ss[.fffffff], no zone (the type has none)
    case "offsetDateTime":
      return `CONVERT(varchar(40), SWITCHOFFSET(${column}, '+00:00'), 127)`; // the UTC instant, so no offset text to trust
    case "date":
      return `CONVERT(varchar(10), ${column}, 23)`; // yyyy-mm-dd
    case "time":
      return `CAST(${column} AS varchar(16))`; // hh:mm:ss[.nnnnnnn], the type's default string form
    case "guid":
      return `LOWER(CONVERT(char(36), ${column}))`;
    case "binary":
      return `CONVERT(varchar(max), ${column}, 2)`; // hex digits without 0x
    case "image":
      return `CONVERT(varchar(max), CONVERT(varbinary(max), ${column}), 2)`;
    case "other":
      return column;
  }
}

/** A Date as tedious returns it for datetime2/time/datetimeoffset: milliseconds, plus the rest in seconds. */
type DriverDate = Date & { nanosecondsDelta?: number };

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_TEXT = /^(0x)?([0-9a-f]{2})*$/i;

/**
 * The canonical text of a value read through `mssql`: what `exactSelectExpression` would have produced had the
 * column been converted in the SELECT. Values already converted pass through (checked); driver values are
 * converted exactly or refused — never rounded. Dates are read as UTC, which is what the driver's default
 * `useUTC: true` means for zone-less types (the connection config enforces it).
 *
 * @example canonicalOf(Buffer.from([0xca, 0xfe]), "varbinary") // "CAFE"
 * @example canonicalOf(12.5, "decimal") // throws SourceValueError: a float cannot prove it is the stored decimal
 */
export function canonicalOf(value: unknown, sqlType: string, column = "(value)"): unknown {
  if (value === null || value === undefined) return null;
  const refuse = (): never => {
    throw new SourceValueError(column, sqlType, value);
  };
  switch (familyOf(sqlType)) {
    case "decimal":
    case "money":
      if (typeof value === "string" && DECIMAL_TEXT.test(value.trim())) return value.trim();
      if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) return String(value);
      return refuse(); // a non-integer JS number may already be rounded; only a cast to text is exact
    case "bigint":
      if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) return value.trim();
      if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) return String(value);
      return refuse();
    case "localDateTime":
      if (typeof value === "string") return value;
      return value instanceof Date ? dateTimeText(value, refuse) : refuse();
    case "offsetDateTime":
      if (typeof value === "string") return value;
      return value instanceof Date ? `${dateTimeText(value, refuse)}Z` : refuse();
    case "date":
      if (typeof value === "string") return value;
      return value instanceof Date ? dateTimeText(value, refuse).slice(0, 10) : refuse();
    case "time":
      if (typeof value === "string") return value;
      return value instanceof Date ? dateTimeText(value, refuse).slice(11) : refuse();
    case "guid":
      return typeof value === "string" && GUID_TEXT.test(value) ? value.toLowerCase() : refuse();
    case "binary":
    case "image":
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("hex").toUpperCase();
      return typeof value === "string" && HEX_TEXT.test(value) ? value.replace(/^0x/i, "").toUpperCase() : refuse();
    case "other":
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("hex").toUpperCase();
      if (value instanceof Date) return dateTimeText(value, refuse);
      return value;
  }
}

/** `YYYY-MM-DDTHH:MM:SS.fffffff` from the Date's UTC fields and its `nanosecondsDelta` (seconds below the millisecond). */
function dateTimeText(date: DriverDate, refuse: () => never): string {
  if (Number.isNaN(date.getTime())) return refuse();
  // tedious: nanosecondsDelta = (ticks % 10000) / 1e7, i.e. the 100 ns ticks below the millisecond, in seconds
  const ticks = Math.round((date.nanosecondsDelta ?? 0) * 1e7);
  if (ticks < 0 || ticks > 9999) return refuse();
  return `${date.toISOString().slice(0, 23)}${String(ticks).padStart(4, "0")}`;
}

/** Key types a keyset parameter is cast to by name alone. */
const PLAIN_KEY_TYPES = new Set(["bigint", "int", "smallint", "tinyint", "bit", "date", "datetime", "smalldatetime", "uniqueidentifier", "float", "real", "money", "smallmoney"]);

/** A row of `INFORMATION_SCHEMA.COLUMNS` (aliased lower-case), as far as key types need it. */
export interface ColumnMetadata {
  data_type?: unknown;
  max_length?: unknown;
  numeric_precision?: unknown;
  numeric_scale?: unknown;
  datetime_precision?: unknown;
}

/**
 * The declared type a keyset parameter is cast to, built from catalog integers only (nothing user-written), or
 * undefined for types that cannot be compared as keys here (xml, text, sql_variant, …).
 *
 * @example keyTypeOf({ data_type: "decimal", numeric_precision: 10, numeric_scale: 2 }) // "decimal(10,2)"
 */
export function keyTypeOf(column: ColumnMetadata): string | undefined {
  const type = String(column.data_type).toLowerCase();
  const integer = (v: unknown) => (Number.isInteger(v) ? Number(v) : undefined);
  const length = integer(column.max_length) === -1 ? "max" : integer(column.max_length);
  const precision = integer(column.numeric_precision);
  const fraction = integer(column.datetime_precision);
  if (PLAIN_KEY_TYPES.has(type)) return type;
  if ((type === "decimal" || type === "numeric") && precision !== undefined) return `decimal(${precision},${integer(column.numeric_scale) ?? 0})`;
  if ((type === "datetime2" || type === "datetimeoffset" || type === "time") && fraction !== undefined) return `${type}(${fraction})`;
  if (["char", "varchar", "nchar", "nvarchar", "binary", "varbinary"].includes(type) && length !== undefined) return `${type}(${length})`;
  if (type === "timestamp" || type === "rowversion") return "binary(8)";
  return undefined;
}

/**
 * A key parameter (sent as text) cast to the key column's own type, so the comparison — and an index seek — are
 * the column's. Binary keys travel as the hex text the snapshot returned; style 2 reads hex without `0x`.
 *
 * @example keyParameterSql("a0", "datetime2(7)") // "CAST(@a0 AS datetime2(7))"
 */
export function keyParameterSql(parameter: string, keyType: string): string {
  return /binary/.test(keyType) ? `CONVERT(${keyType}, @${parameter}, 2)` : `CAST(@${parameter} AS ${keyType})`;
}

/** The text a key value travels as: canonical text as is, buffers as hex, dates as ISO 8601. */
export function keyText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString("hex");
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
