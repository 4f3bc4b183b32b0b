/**
 * The config's column-type vocabulary in DuckDB SQL: for a CSV field's text, the canonical value and, when it has
 * none, the streaming path's reason (`coercerOf` in `config/column-types.ts`, whose rules this mirrors exactly).
 * DuckDB's own casts are laxer ('1.5'::INTEGER is 2, '1_000'::BIGINT is 1000, '12.345'::DECIMAL(10,2) rounds,
 * '24:00:00' is midnight of the next day), so each type's shape is checked first, as the JS coercer checks it.
 *
 * Timestamps, the bulk of a lab file's cost, take a fast path: the machine-written `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z`
 * (years 1000-9999) is checked with GLOBs and cast natively. Anything else goes through the JS parser's
 * regular expression, rebuilt here field by field (including `Date.UTC` reading years 0-99 as 1900-1999).
 */
import { decimalOf, type Column, type ScalarType } from "../config";
import { sqlLiteral } from "../lake/sql-text";

/** What `String.prototype.trim` removes (ECMAScript WhiteSpace and LineTerminator), for `trim(text, characters)`. */
const JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
/** JS `\s` as an RE2 character class (RE2's own `\s` is ASCII only). */
const RE2_SPACE = "[\\t\\n\\v\\f\\r \\x{00a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}]";
/** `parseTimestampMicros`'s ISO pattern (config/time.ts), with named parts. */
const ISO_PATTERN = `^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?${RE2_SPACE}*(Z|z|[+-]\\d{2}(?::?\\d{2})?)?$`;
/**
 * The machine-written shapes, hours 00-19 and 20-23 apart so the GLOB itself refuses hour 24 (which DuckDB would
 * read as midnight of the next day). A GLOB costs about as much as the cast; DuckDB's own parser is laxer
 * (leading spaces, one-digit fields), so the shape is checked first.
 */
const FAST_TIMESTAMP_GLOBS = ["", ".[0-9][0-9][0-9]", ".[0-9][0-9][0-9][0-9][0-9][0-9]"].flatMap((fraction) =>
  ["[01][0-9]", "2[0-3]"].map((hour) => `'[1-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ]${hour}:[0-5][0-9]:[0-5][0-9]${fraction}Z'`),
);

/**
 * Macros the value expressions use; create them once per connection. Macros are expanded where they are used,
 * so they cost nothing at run time.
 */
export const VALUE_MACROS: readonly string[] = [
  // DuckDB's // truncates toward zero; partitions of times before 1970 need the floor.
  `CREATE OR REPLACE TEMP MACRO tributary_floor_div(a, b) AS (CASE WHEN a >= 0 THEN a // b ELSE (a + 1) // b - 1 END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_trim(v) AS trim(v, ${sqlLiteral(JS_WHITESPACE)})`,
  // JSON.stringify of the raw text, cut as the coercers' `refuse` cuts it.
  `CREATE OR REPLACE TEMP MACRO tributary_shown(v) AS (CASE WHEN length(to_json(v)::VARCHAR) > 80 THEN left(to_json(v)::VARCHAR, 77) || '...' ELSE to_json(v)::VARCHAR END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_iso_parts(t) AS regexp_extract(t, ${sqlLiteral(ISO_PATTERN)}, ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z'])`,
  // Date.UTC reads years 0-99 as 1900-1999; parseTimestampMicros inherits it, so this does too.
  `CREATE OR REPLACE TEMP MACRO tributary_iso_year(p) AS (CASE WHEN p.y::INTEGER < 100 THEN p.y::INTEGER + 1900 ELSE p.y::INTEGER END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_iso_valid(p) AS (
     p.y <> '' AND p.mo::INTEGER BETWEEN 1 AND 12 AND p.d::INTEGER >= 1
     AND coalesce(nullif(p.h, ''), '0')::INTEGER <= 23 AND coalesce(nullif(p.mi, ''), '0')::INTEGER <= 59 AND coalesce(nullif(p.s, ''), '0')::INTEGER <= 59)`,
  `CREATE OR REPLACE TEMP MACRO tributary_iso_offset_minutes(z) AS (CASE WHEN z IN ('', 'Z', 'z') THEN 0
     ELSE (CASE WHEN z[1] = '-' THEN -1 ELSE 1 END) * (z[2:3]::INTEGER * 60 + coalesce(nullif(replace(z[4:], ':', ''), ''), '0')::INTEGER) END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_iso_micros_of(p) AS (CASE WHEN tributary_iso_valid(p)
     AND p.d::INTEGER <= day(last_day(make_date(tributary_iso_year(p), p.mo::INTEGER, 1))) THEN
       epoch_us(make_timestamp(tributary_iso_year(p), p.mo::INTEGER, p.d::INTEGER,
         coalesce(nullif(p.h, ''), '0')::INTEGER, coalesce(nullif(p.mi, ''), '0')::INTEGER, coalesce(nullif(p.s, ''), '0')::DOUBLE))
       + left(rpad(p.f, 6, '0'), 6)::BIGINT - tributary_iso_offset_minutes(p.z)::BIGINT * 60000000 END)`,
  // parseTimestampMicros of the trimmed text: microseconds since the epoch, or NULL.
  `CREATE OR REPLACE TEMP MACRO tributary_iso_micros(v) AS tributary_iso_micros_of(tributary_iso_parts(tributary_trim(v)))`,
  `CREATE OR REPLACE TEMP MACRO tributary_timestamp(v) AS (CASE
     WHEN ${FAST_TIMESTAMP_GLOBS.map((g) => `v GLOB ${g}`).join(" OR ")} THEN TRY_CAST(v AS TIMESTAMPTZ)
     ELSE make_timestamp(tributary_iso_micros(v))::TIMESTAMPTZ END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_integer(v, low, high) AS (CASE
     WHEN regexp_full_match(tributary_trim(v), '[+-]?[0-9]+') AND TRY_CAST(tributary_trim(v) AS HUGEINT) BETWEEN low AND high
     THEN TRY_CAST(tributary_trim(v) AS HUGEINT) END)`,
  `CREATE OR REPLACE TEMP MACRO tributary_decimal_parts(v) AS regexp_extract(tributary_trim(v), '^([+-])?([0-9]*)(?:\\.([0-9]*))?$', ['sign', 'whole', 'fraction'])`,
];

export interface ValueSql {
  /** The canonical value, typed as the column's DuckDB type; NULL when the text is NULL or has no value. */
  value: string;
  /**
   * Why the text has no value (`<column>: <reason>`, as `describeProblems` writes it), else NULL — given where the
   * value expression's result can be read (a column alias), so the value is not computed twice.
   */
  problem(value: string): string;
  /** True when the text is fine (a value, or a NULL the column allows): the cheap test most rows stop at. */
  ok(value: string): string;
}

/**
 * The value and problem expressions of one declared column, over `text` (the field, NULL when empty or absent).
 *
 * @example columnValueSql({ name: "n", type: "int", nullable: false, lineage: false }, "c0").problem("v0")
 * // (CASE WHEN c0 IS NULL THEN 'n: required' WHEN v0 IS NULL THEN 'n: expected a 32-bit integer, got ' || tributary_shown(c0) END)
 */
export function columnValueSql(column: Column, text: string): ValueSql {
  const name = (reason: string) => sqlLiteral(`${column.name}: ${reason}`);
  // The value is NULL exactly when the text is NULL or has no value.
  const ok = (result: string) => (column.nullable ? `(${text} IS NULL OR ${result} IS NOT NULL)` : `(${result} IS NOT NULL)`);
  const required = column.nullable ? "NULL" : name("required");
  const refused = (expected: string) => `${name(`expected ${expected}, got `)} || tributary_shown(${text})`;
  const dec = decimalOf(column.type);
  if (dec) {
    const parts = `tributary_decimal_parts(${text})`;
    const { precision, scale } = dec;
    const whole = `coalesce(nullif(ltrim(${parts}.whole, '0'), ''), '0')`;
    const fraction = `${parts}.fraction`;
    const value = `CAST(${parts}.sign || ${whole} || '.' || rpad(left(${fraction}, ${scale}), ${scale}, '0') AS DECIMAL(${precision},${scale}))`;
    const notDecimal = `(NOT regexp_full_match(tributary_trim(${text}), '[+-]?[0-9]*(\\.[0-9]*)?') OR (${parts}.whole = '' AND ${parts}.fraction = ''))`;
    const tooPrecise = `regexp_matches(${fraction}[${scale + 1}:], '[1-9]')`;
    const tooLarge = `(${whole} <> '0' AND length(${whole}) > ${precision - scale})`;
    return {
      ok,
      value: `(CASE WHEN ${text} IS NULL OR ${notDecimal} OR ${tooPrecise} OR ${tooLarge} THEN NULL ELSE ${value} END)`,
      problem: () => `(CASE WHEN ${text} IS NULL THEN ${required}
        WHEN ${notDecimal} THEN ${refused(`a decimal(${precision},${scale})`)}
        WHEN ${tooPrecise} THEN ${name(`expected at most ${scale} decimal places, got `)} || to_json(${text})::VARCHAR
        WHEN ${tooLarge} THEN ${name(`expected at most ${precision - scale} integer digits, got `)} || to_json(${text})::VARCHAR END)`,
    };
  }
  const typed = (value: string, expected: string): ValueSql => ({
    ok,
    value,
    problem: (result) => `(CASE WHEN ${text} IS NULL THEN ${required} WHEN ${result} IS NULL THEN ${refused(expected)} END)`,
  });
  switch (column.type as ScalarType) {
    case "string":
    case "json":
      return { ok, value: text, problem: () => `(CASE WHEN ${text} IS NULL THEN ${required} END)` };
    case "int":
      return typed(`CAST(tributary_integer(${text}, -2147483648, 2147483647) AS INTEGER)`, "a 32-bit integer");
    case "bigint":
      return typed(`CAST(tributary_integer(${text}, -9223372036854775808, 9223372036854775807) AS BIGINT)`, "a 64-bit integer");
    case "double":
      return typed(
        `(CASE WHEN regexp_full_match(tributary_trim(${text}), '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?') THEN CAST(tributary_trim(${text}) AS DOUBLE) END)`,
        "a finite number",
      );
    case "boolean":
      return typed(
        `(CASE lower(tributary_trim(${text})) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END)`,
        "a boolean",
      );
    case "date":
      // The date (UTC) of any ISO timestamp, as the JS coercer reads dates.
      return typed(`CAST(make_timestamp(tributary_iso_micros(${text})) AS DATE)`, "a date (YYYY-MM-DD)");
    case "timestamp":
      return typed(`tributary_timestamp(${text})`, "an ISO 8601 timestamp");
  }
  throw new RangeError(`files: no SQL for column type ${JSON.stringify(column.type)}`);
}
