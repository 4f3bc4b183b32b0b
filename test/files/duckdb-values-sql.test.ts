/**
 * The column-type vocabulary in DuckDB SQL must give what the JS coercers give (`coerceValue`): the same canonical
 * value, or the same reason — on the awkward texts partner files hold, where DuckDB's own casts are laxer.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coerceValue, formatTimestamp, type ColumnType } from "@tributary/core/config";
import { columnValueSql, VALUE_MACROS } from "@tributary/core/files";

const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

const TEXTS: Record<string, string[]> = {
  timestamp: [
    "2026-01-05T06:00:00Z", "2026-01-05 06:00:00Z", "2026-01-05T06:00:00z", "2026-01-05T06:00:00.123Z", "2026-01-05T06:00:00.123456Z",
    "2026-01-05T06:00:00.1234567Z", "2026-01-05T06:00:00,5Z", "2026-01-05T06:00Z", "2026-01-05", "2026-01-05T06:00:00+05:30",
    "2026-01-05T06:00:00-0130", "2026-01-05T06:00:00+02", "2026-01-05T06:00:00 +02:00", " 2026-01-05T06:00:00Z\t", "2026-01-05T06:00:00",
    "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-05T24:00:00Z",
    "2026-01-05T23:60:00Z", "2026-01-05T23:59:60Z", "0050-06-01T00:00:00Z", "0999-06-01T00:00:00Z", "1899-12-31T23:59:59Z",
    "1759305600000", "pending", "2026-1-5", "2026/01/05", "infinity", "2026-01-05T06:00:00 Europe/Paris", "2026-01-05\u3000",
  ],
  date: ["2026-10-01", "2026-10-01T23:30:00-05:00", " 2026-10-01 ", "2026-02-30", "01/10/2026", "2026-10-01T08:00:00Z", "x"],
  int: ["1", "-7", "+5", " 12 ", "007", "2147483647", "2147483648", "-2147483648", "1.5", "1_000", "1e3", "0x10", "", "abc"],
  bigint: ["9223372036854775807", "9223372036854775808", "-9223372036854775808", "12345678901234567890123456789012345678901234", "42"],
  double: ["1.5", "-0.25", ".5", "5.", "1e3", "1E-2", " 3 ", "1e400", "NaN", "inf", "1,5", "0x10", "1_0"],
  boolean: ["true", "FALSE", " True ", "1", "0", "yes", "t", "no"],
  "decimal(10,2)": ["12.3", "12.345", "12.340", "-0.00", "-1.5", "+7", "99999999", "999999999", "12,5", ".", "5.", ".5", "1e2", " 3.10 ", "0000001.10", "abc"],
  "decimal(5,0)": ["12345", "123456", "12.0", "12.5", "-0"],
  string: ["  spaced  ", "x"],
};
const LONG = `not a time ${"x".repeat(100)}`;
TEXTS.timestamp!.push(LONG);

/** A DuckDB result value as the JS canonical value prints it. */
function canonical(type: string, value: unknown): unknown {
  if (value === null) return null;
  if (type === "timestamp") return formatTimestamp(BigInt(value as string));
  if (type === "bigint") return String(value);
  // DuckDB's JSON rows spell the infinities as text; the value itself is the double.
  if (type === "double" && typeof value === "string") return Number(value);
  return value;
}

describe("columnValueSql", () => {
  let db: DuckDBInstance;
  beforeAll(async () => {
    db = await DuckDBInstance.create(":memory:");
  });
  afterAll(() => db?.closeSync());

  it.each(Object.keys(TEXTS))("gives the JS coercer's value or reason for %s texts", async (type) => {
    // Prepare
    const connection = await db.connect();
    await connection.run("SET TimeZone = 'UTC'");
    for (const macro of VALUE_MACROS) await connection.run(macro);
    const sql = columnValueSql({ name: "col", type: type as ColumnType, nullable: true, lineage: false }, "t");
    const shown = type === "timestamp" ? `epoch_us(${sql.value})::VARCHAR` : type === "date" ? `${sql.value}::VARCHAR` : sql.value;
    const texts = TEXTS[type]!;

    // Act
    const rows = (
      await connection.runAndReadAll(
        `SELECT ${shown} AS value, ${sql.problem("v")} AS problem, i FROM (SELECT t, i, ${sql.value} AS v FROM (SELECT nullif(t, '') AS t, i FROM (VALUES ${texts.map((t, i) => `(${sqlLiteral(t)}, ${i})`).join(", ")}) AS x(t, i))) ORDER BY i`,
      )
    ).getRowObjectsJson();
    connection.closeSync();

    // Assess: empty text is a null, whatever the type (CSV cannot tell them apart)
    const actual = texts.map((text, i) => ({ text, value: canonical(type, rows[i]!.value), problem: rows[i]!.problem }));
    const expected = texts.map((text) => {
      if (text === "") return { text, value: null, problem: null };
      const coerced = coerceValue(type as ColumnType, text);
      if (!coerced.ok) return { text, value: null, problem: `col: ${coerced.reason}` };
      const value = type === "timestamp" ? formatTimestamp(coerced.value as bigint) : type === "bigint" ? String(coerced.value) : coerced.value;
      return { text, value, problem: null };
    });
    expect(actual).toEqual(expected);
  });
});
