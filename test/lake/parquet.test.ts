import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Column, ColumnType, Row } from "@tributary/core/config";
import { encodeParquet, ParquetEncodeError } from "@tributary/core/lake";
import { parquetFile, query } from "./duckdb-reader";

const column = (name: string, type: ColumnType, nullable = true): Column => ({ name, type, nullable, lineage: false });

const EVERY_TYPE: Column[] = [
  column("id", "bigint", false),
  column("name", "string"),
  column("payload", "json"),
  column("count", "int"),
  column("ratio", "double"),
  column("active", "boolean"),
  column("born", "date"),
  column("seen_at", "timestamp"),
  column("amount", "decimal(10,2)"),
  column("huge", "decimal(38,6)"),
];

const ROWS: Row[] = [
  {
    id: -(2n ** 63n),
    name: "Zoë ✓ 😀",
    payload: '{"a":[1,2]}',
    count: -2147483648,
    ratio: 0.1,
    active: true,
    born: "1969-12-31",
    seen_at: 1767323045123456n, // 2026-01-02T03:04:05.123456Z
    amount: "-12.30",
    huge: "-12345678901234567890123456789012.345678",
  },
  { id: 0n, name: null, payload: null, count: null, ratio: null, active: null, born: null, seen_at: null, amount: null, huge: null },
  {
    id: 2n ** 63n - 1n,
    name: "",
    payload: "{}",
    count: 2147483647,
    ratio: -1.5e300,
    active: false,
    born: "2026-02-28",
    seen_at: -1n, // 1969-12-31T23:59:59.999999Z
    amount: "99999999.99",
    huge: "0.000001",
  },
];

describe("encodeParquet", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tributary-parquet-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("round-trips every column type exactly through DuckDB", async () => {
    // Act
    const file = await parquetFile(join(dir, "every-type.parquet"), encodeParquet(EVERY_TYPE, ROWS));
    const rows = await query(`
      SELECT id, name, payload, count, ratio, active, CAST(born AS VARCHAR) AS born, epoch_us(seen_at) AS seen_at,
             strftime(seen_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS seen_text, CAST(amount AS VARCHAR) AS amount, CAST(huge AS VARCHAR) AS huge
      FROM read_parquet(${file})`);

    // Assess
    expect(rows).toEqual([
      {
        id: -(2n ** 63n), name: "Zoë ✓ 😀", payload: '{"a":[1,2]}', count: -2147483648, ratio: 0.1, active: true, born: "1969-12-31",
        seen_at: 1767323045123456n, seen_text: "2026-01-02T03:04:05.123456Z", amount: "-12.30", huge: "-12345678901234567890123456789012.345678",
      },
      { id: 0n, name: null, payload: null, count: null, ratio: null, active: null, born: null, seen_at: null, seen_text: null, amount: null, huge: null },
      {
        id: 2n ** 63n - 1n, name: "", payload: "{}", count: 2147483647, ratio: -1.5e300, active: false, born: "2026-02-28",
        seen_at: -1n, seen_text: "1969-12-31T23:59:59.999999Z", amount: "99999999.99", huge: "0.000001",
      },
    ]);
  });

  it("declares the types analysts expect: DECIMAL, DATE, TIMESTAMPTZ, in the given column order", async () => {
    // Act
    const file = await parquetFile(join(dir, "schema.parquet"), encodeParquet(EVERY_TYPE, ROWS));
    const described = await query(`DESCRIBE SELECT * FROM read_parquet(${file})`);

    // Assess
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual([
      ["id", "BIGINT"],
      ["name", "VARCHAR"],
      ["payload", "VARCHAR"],
      ["count", "INTEGER"],
      ["ratio", "DOUBLE"],
      ["active", "BOOLEAN"],
      ["born", "DATE"],
      ["seen_at", "TIMESTAMP WITH TIME ZONE"],
      ["amount", "DECIMAL(10,2)"],
      ["huge", "DECIMAL(38,6)"],
    ]);
  });

  it("compresses every column chunk with ZSTD", async () => {
    // Act
    const file = await parquetFile(join(dir, "zstd.parquet"), encodeParquet(EVERY_TYPE, ROWS));
    const codecs = await query(`SELECT DISTINCT compression FROM parquet_metadata(${file})`);

    // Assess
    expect(codecs).toEqual([{ compression: "ZSTD" }]);
  });

  it("writes many rows with nulls scattered across bitmap bytes", async () => {
    // Prepare: 1000 rows, every third value null, so validity bits cross byte boundaries.
    const columns = [column("n", "int"), column("s", "string"), column("flag", "boolean")];
    const rows: Row[] = Array.from({ length: 1000 }, (_, i) => ({
      n: i % 3 === 0 ? null : i,
      s: i % 3 === 1 ? null : `v${i}`,
      flag: i % 3 === 2 ? null : i % 2 === 0,
    }));

    // Act
    const file = await parquetFile(join(dir, "many.parquet"), encodeParquet(columns, rows));
    const [stats] = await query(`
      SELECT count(*) AS total, count(n) AS n, sum(n) AS n_sum, count(s) AS s, count(flag) AS flag, count(*) FILTER (WHERE flag) AS flag_true
      FROM read_parquet(${file})`);

    // Assess
    const expected = {
      n: rows.filter((r) => r.n !== null).length,
      nSum: rows.reduce((sum, r) => sum + ((r.n as number | null) ?? 0), 0),
      s: rows.filter((r) => r.s !== null).length,
      flag: rows.filter((r) => r.flag !== null).length,
      flagTrue: rows.filter((r) => r.flag === true).length,
    };
    expect(stats).toEqual({
      total: 1000n, n: BigInt(expected.n), n_sum: BigInt(expected.nSum), s: BigInt(expected.s),
      flag: BigInt(expected.flag), flag_true: BigInt(expected.flagTrue),
    });
  });

  it("writes a valid file with the schema and no rows", async () => {
    // Act
    const file = await parquetFile(join(dir, "empty.parquet"), encodeParquet(EVERY_TYPE, []));
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${file})`);
    const described = await query(`DESCRIBE SELECT * FROM read_parquet(${file})`);

    // Assess
    expect(count).toEqual({ n: 0n });
    expect(described).toHaveLength(EVERY_TYPE.length);
  });

  it.each([
    [column("n", "int"), 1.5, /column n, row 0: expected a 32-bit integer, got 1.5/],
    [column("n", "bigint"), 5, /column n, row 0: expected a 64-bit bigint, got 5/],
    [column("n", "timestamp"), "2026-01-01", /column n, row 0: expected bigint microseconds, got "2026-01-01"/],
    [column("n", "decimal(5,2)"), "1.234", /column n, row 0: "1.234" has more than 2 decimal places/],
    [column("n", "decimal(5,2)"), "1234.5", /column n, row 0: "1234.5" does not fit decimal\(5,2\)/],
    [column("n", "date"), "2026-1-2", /column n, row 0: expected a date "YYYY-MM-DD", got "2026-1-2"/],
    [column("n", "string", false), null, /column n, row 0: null in a non-nullable string column/],
  ])("refuses a value that does not fit its column (%o = %o)", (col, value, message) => {
    // Act + Assess
    expect(() => encodeParquet([col], [{ n: value }])).toThrow(ParquetEncodeError);
    expect(() => encodeParquet([col], [{ n: value }])).toThrow(message);
  });
});
