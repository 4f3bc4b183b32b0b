/**
 * Exact SQL Server values: the casts the adapter writes into its SELECTs, and the JS fallback for values that
 * still arrive as the mssql/tedious driver builds them (Dates with `nanosecondsDelta`, Buffers, JS numbers).
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { SourceValueError } from "../../packages/core/src/cdc/errors";
import { canonicalOf, exactSelectExpression, keyParameterSql, keyText, keyTypeOf } from "../../packages/core/src/cdc/sqlserver-values";
import { parseTimestampMicros } from "../../packages/core/src/config/time";

/**
 * A datetime2/time/datetimeoffset value as tedious returns it with `useUTC: true`: a Date holding whole
 * milliseconds, and the 100 ns ticks below them in `nanosecondsDelta`, in seconds (tedious value-parser.js).
 */
function driverDate(isoMillis: string, ticksBelowMillisecond: number): Date {
  const date = new Date(isoMillis);
  Object.defineProperty(date, "nanosecondsDelta", { enumerable: false, value: ticksBelowMillisecond / 1e7 });
  return date;
}

/** tedious's own decoder of TDS row values: what mssql hands over when a column was not cast. */
const { readValue } = createRequire(import.meta.url)("tedious/lib/value-parser.js") as {
  readValue(buf: Buffer, offset: number, metadata: unknown, options: unknown): { value: unknown };
};

/** A datetime2(7) value as it travels in TDS: length byte, 100 ns ticks of the day (5 bytes), days since 0001-01-01 (3 bytes). */
function datetime2Wire(isoDay: string, ticksOfDay: number): Buffer {
  const wire = Buffer.alloc(9);
  wire.writeUInt8(8, 0);
  wire.writeUIntLE(ticksOfDay, 1, 5);
  wire.writeUIntLE((Date.parse(`${isoDay}T00:00:00Z`) - Date.parse("0001-01-01T00:00:00Z")) / 86_400_000, 6, 3);
  return wire;
}

describe("exactSelectExpression", () => {
  it("casts each inexact driver type to exact text and leaves exact ones alone", () => {
    // Prepare
    const column = "ct.[c]";
    const types = ["decimal", "NUMERIC", "money", "smallmoney", "bigint", "datetime2", "datetime", "smalldatetime", "datetimeoffset", "date", "time", "uniqueidentifier", "binary", "varbinary", "timestamp", "image", "nvarchar", "int", "bit", "float"];

    // Act
    const expressions = Object.fromEntries(types.map((t) => [t, exactSelectExpression(column, t)]));

    // Assess
    expect(expressions).toEqual({
      decimal: "CAST(ct.[c] AS varchar(64))",
      NUMERIC: "CAST(ct.[c] AS varchar(64))",
      money: "CONVERT(varchar(64), ct.[c], 2)",
      smallmoney: "CONVERT(varchar(64), ct.[c], 2)",
      bigint: "CAST(ct.[c] AS varchar(20))",
      datetime2: "CONVERT(varchar(40), ct.[c], 126)",
      datetime: "CONVERT(varchar(40), ct.[c], 126)",
      smalldatetime: "CONVERT(varchar(40), ct.[c], 126)",
      datetimeoffset: "CONVERT(varchar(40), SWITCHOFFSET(ct.[c], '+00:00'), 127)",
      date: "CONVERT(varchar(10), ct.[c], 23)",
      time: "CAST(ct.[c] AS varchar(16))",
      uniqueidentifier: "LOWER(CONVERT(char(36), ct.[c]))",
      binary: "CONVERT(varchar(max), ct.[c], 2)",
      varbinary: "CONVERT(varchar(max), ct.[c], 2)",
      timestamp: "CONVERT(varchar(max), ct.[c], 2)",
      image: "CONVERT(varchar(max), CONVERT(varbinary(max), ct.[c]), 2)",
      nvarchar: "ct.[c]",
      int: "ct.[c]",
      bit: "ct.[c]",
      float: "ct.[c]",
    });
  });
});

describe("canonicalOf", () => {
  it("keeps all seven fraction digits of a datetime2 the driver split into a Date and nanosecondsDelta", () => {
    // Prepare
    const value = driverDate("2026-01-02T03:04:05.123Z", 4567);

    // Act
    const text = canonicalOf(value, "datetime2", "ordered_at");

    // Assess
    expect(text).toBe("2026-01-02T03:04:05.1234567");
    expect(parseTimestampMicros(text as string)).toBe(1767323045123456n);
  });

  it("reads what tedious itself decodes from the wire: datetime2(7) and an upper-case uniqueidentifier", () => {
    // Prepare
    const options = { useUTC: true, lowerCaseGuids: false };
    const datetime2 = readValue(datetime2Wire("2026-01-02", 110_451_234_567), 0, { type: { name: "DateTime2" }, scale: 7 }, options).value;
    const guidBytes = Buffer.concat([Buffer.from([16]), Buffer.from("ff1996f6868b11d0b42d00c04fc964ff", "hex")]);
    const guid = readValue(guidBytes, 0, { type: { name: "UniqueIdentifier" } }, options).value;

    // Act
    const texts = [canonicalOf(datetime2, "datetime2"), canonicalOf(guid, "uniqueidentifier")];

    // Assess
    expect(guid).toBe("F69619FF-8B86-D011-B42D-00C04FC964FF");
    expect(texts).toEqual(["2026-01-02T03:04:05.1234567", "f69619ff-8b86-d011-b42d-00c04fc964ff"]);
  });

  it("renders datetime, datetimeoffset, date and time driver values in the same text as the SQL casts", () => {
    // Prepare
    const datetime = new Date("2026-01-02T03:04:05.997Z"); // datetime: no nanosecondsDelta
    const offset = driverDate("2026-01-02T01:04:05.000Z", 1); // already the UTC instant
    const date = new Date("2026-01-02T00:00:00.000Z");
    const time = driverDate("1970-01-01T13:45:30.120Z", 9999);

    // Act
    const texts = [canonicalOf(datetime, "datetime"), canonicalOf(offset, "datetimeoffset"), canonicalOf(date, "date"), canonicalOf(time, "time")];

    // Assess
    expect(texts).toEqual(["2026-01-02T03:04:05.9970000", "2026-01-02T01:04:05.0000001Z", "2026-01-02", "13:45:30.1209999"]);
  });

  it("passes the text of a cast through, checked", () => {
    // Prepare / Act
    const values = [
      canonicalOf("12345678.90", "decimal"),
      canonicalOf("-0.0001", "money"),
      canonicalOf("9223372036854775807", "bigint"),
      canonicalOf("2026-03-14T09:26:51.1234567", "datetime2"),
      canonicalOf("CAFE01", "varbinary"),
      canonicalOf("6F9619FF-8B86-D011-B42D-00C04FC964FF", "uniqueidentifier"),
      canonicalOf("Zoë", "nvarchar"),
      canonicalOf(null, "decimal"),
      canonicalOf(undefined, "datetime2"),
    ];

    // Assess
    expect(values).toEqual(["12345678.90", "-0.0001", "9223372036854775807", "2026-03-14T09:26:51.1234567", "CAFE01", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "Zoë", null, null]);
  });

  it("turns buffers into upper-case hex and integers into exact text", () => {
    // Prepare / Act
    const values = [
      canonicalOf(Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd1]), "timestamp"),
      canonicalOf(new Uint8Array([0xca, 0xfe]), "binary"),
      canonicalOf(9007199254740993n, "bigint"),
      canonicalOf(42, "decimal"),
      canonicalOf(-7, "bigint"),
    ];

    // Assess
    expect(values).toEqual(["00000000000007D1", "CAFE", "9007199254740993", "42", "-7"]);
  });

  it("refuses JS numbers that may already be rounded, and text that is not the type", () => {
    // Prepare
    const cases: [unknown, string][] = [
      [12.5, "decimal"],
      [1234.5678, "money"],
      [2 ** 53, "bigint"],
      [1.5, "bigint"],
      ["12,5", "decimal"],
      ["not-a-guid", "uniqueidentifier"],
      ["xyz", "varbinary"],
      [new Date(Number.NaN), "datetime2"],
      [12345, "datetime2"],
    ];

    // Act
    const errors = cases.map(([value, type]) => {
      try {
        canonicalOf(value, type, "amount");
        return undefined;
      } catch (error) {
        return error;
      }
    });

    // Assess
    expect(errors.every((e) => e instanceof SourceValueError)).toBe(true);
    expect(String(errors[0])).toContain("cdc: column amount (decimal): cannot convert 12.5");
  });

  it("leaves values of exact driver types as they are", () => {
    // Prepare / Act
    const values = [canonicalOf(7, "int"), canonicalOf(true, "bit"), canonicalOf(0.1, "float"), canonicalOf("<a/>", "xml")];

    // Assess
    expect(values).toEqual([7, true, 0.1, "<a/>"]);
  });
});

describe("keyset parameters", () => {
  it("casts a key parameter to the column's declared type, read from catalog numbers only", () => {
    // Prepare
    const columns = [
      { data_type: "bigint", numeric_precision: 19, numeric_scale: 0 },
      { data_type: "numeric", numeric_precision: 38, numeric_scale: 6 },
      { data_type: "datetimeoffset", datetime_precision: 3 },
      { data_type: "varchar", max_length: 40 },
      { data_type: "nvarchar", max_length: -1 },
      { data_type: "timestamp" },
      { data_type: "varbinary", max_length: 16 },
      { data_type: "xml" },
      { data_type: "decimal", numeric_precision: "10); DROP TABLE y; --" },
    ];

    // Act
    const types = columns.map(keyTypeOf);

    // Assess
    expect(types).toEqual(["bigint", "decimal(38,6)", "datetimeoffset(3)", "varchar(40)", "nvarchar(max)", "binary(8)", "varbinary(16)", undefined, undefined]);
    expect([keyParameterSql("a0", "decimal(38,6)"), keyParameterSql("a1", "binary(8)")]).toEqual(["CAST(@a0 AS decimal(38,6))", "CONVERT(binary(8), @a1, 2)"]);
  });

  it("sends key values as text", () => {
    // Prepare / Act
    const texts = [keyText("9007199254740993"), keyText(9007199254740993n), keyText(42), keyText(Buffer.from([0x0a, 0xff])), keyText(new Date("2026-01-02T03:04:05.123Z"))];

    // Assess
    expect(texts).toEqual(["9007199254740993", "9007199254740993", "42", "0aff", "2026-01-02T03:04:05.123Z"]);
  });
});
