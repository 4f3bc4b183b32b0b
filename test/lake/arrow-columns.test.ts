import { makeVector } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { Column, ColumnType } from "@tributary/core/config";
import { arrowFieldOf, arrowTypeOf, buildColumnData, canonicalValueProblem, ParquetEncodeError } from "@tributary/core/lake";

const column = (type: ColumnType, nullable = true): Column => ({ name: "v", type, nullable, lineage: false });

describe("arrowTypeOf", () => {
  it.each([
    ["string", "Utf8"],
    ["json", "Utf8"],
    ["int", "Int32"],
    ["bigint", "Int64"],
    ["double", "Float64"],
    ["boolean", "Bool"],
    ["date", "Date32<DAY>"],
    ["timestamp", "Timestamp<MICROSECOND, UTC>"],
  ] as const)("maps %s to Arrow %s", (type, arrow) => {
    // Act + Assess
    expect(String(arrowTypeOf(type))).toBe(arrow);
  });

  it("maps decimal(p,s) to a 128-bit Decimal with the same precision and scale", () => {
    // Act
    const type = arrowTypeOf("decimal(12,3)") as unknown as { precision: number; scale: number; bitWidth: number };

    // Assess
    expect([type.precision, type.scale, type.bitWidth]).toEqual([12, 3, 128]);
  });

  it("carries the column's nullability into the field", () => {
    // Act + Assess
    expect(arrowFieldOf(column("int", false)).nullable).toBe(false);
    expect(arrowFieldOf(column("int", true)).nullable).toBe(true);
  });
});

describe("buildColumnData", () => {
  it("builds strings with multi-byte characters and nulls that Arrow reads back", () => {
    // Act
    const data = buildColumnData(column("string"), [{ v: "a" }, { v: null }, { v: "héllo 😀" }, {}]);

    // Assess
    expect(makeVector(data).toArray()).toEqual(["a", null, "héllo 😀", null]);
    expect(data.nullCount).toBe(2);
  });

  it("builds booleans, ints, doubles and bigints from typed arrays", () => {
    // Act
    // Iterating a vector honours the validity bitmap (toArray() of numbers would show the zeros under nulls).
    const booleans = makeVector(buildColumnData(column("boolean"), [{ v: true }, { v: null }, { v: false }]));
    const ints = makeVector(buildColumnData(column("int"), [{ v: -1 }, { v: null }, { v: 7 }]));
    const doubles = makeVector(buildColumnData(column("double"), [{ v: 0.5 }, { v: null }]));
    const bigints = buildColumnData(column("bigint"), [{ v: 2n ** 62n }, { v: -3n }]);

    // Assess
    expect([...booleans]).toEqual([true, null, false]);
    expect([...ints]).toEqual([-1, null, 7]);
    expect([...doubles]).toEqual([0.5, null]);
    expect([...(bigints.values as BigInt64Array)]).toEqual([2n ** 62n, -3n]);
  });

  it("stores dates as days since the epoch and timestamps as microseconds", () => {
    // Act
    const dates = buildColumnData(column("date"), [{ v: "1970-01-02" }, { v: "1969-12-31" }]);
    const timestamps = buildColumnData(column("timestamp"), [{ v: 1767323045123456n }]);

    // Assess
    expect([...(dates.values as Int32Array)]).toEqual([1, -1]);
    expect([...(timestamps.values as BigInt64Array)]).toEqual([1767323045123456n]);
  });

  it("names the column and row of a value of the wrong type", () => {
    // Act
    const attempt = () => buildColumnData(column("int"), [{ v: 1 }, { v: "2" }]);

    // Assess
    expect(attempt).toThrow(ParquetEncodeError);
    expect(attempt).toThrow('lake: column v, row 1: expected a 32-bit integer, got "2"');
  });
});

describe("canonicalValueProblem", () => {
  it.each([
    ["int", 3, undefined],
    ["int", 2 ** 31, "expected a 32-bit integer, got 2147483648"],
    ["bigint", 3n, undefined],
    ["bigint", 3, "expected a 64-bit bigint, got 3"],
    ["timestamp", 1n, undefined],
    ["timestamp", "2026-01-01T00:00:00Z", 'expected a timestamp as bigint microseconds, got "2026-01-01T00:00:00Z"'],
    ["decimal(4,1)", "123.4", undefined],
    ["decimal(4,1)", 1.5, "expected a decimal string, got 1.5"],
    ["boolean", "true", 'expected a boolean, got "true"'],
    ["string", null, undefined],
  ] as const)("%s accepts %o? problem: %s", (type, value, problem) => {
    // Act + Assess
    expect(canonicalValueProblem(type, value)).toBe(problem);
  });
});

describe("buildColumnData for text", () => {
  it("writes ASCII-only, repeated and mixed columns byte for byte", () => {
    // Prepare
    const cases = [
      ["KIT-1", "HBA1C", null, "", "2026-01-02T03:04:05Z"],
      ["landing/lab_results/a.csv", "landing/lab_results/a.csv", null, "landing/lab_results/a.csv"],
      ["plain", "naïve", null, "😀"],
      ["", ""],
    ];

    for (const values of cases) {
      // Act
      const data = buildColumnData(column("string"), values.map((v) => ({ v })));

      // Assess
      expect(makeVector(data).toArray()).toEqual(values);
      expect(Buffer.from(data.values as Uint8Array).toString("utf8")).toBe(values.filter((v) => v !== null).join(""));
    }
  });
});
