import { makeVector } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { Column, ColumnType } from "@tributary/core/config";
import { buildColumnValues, ColumnBuffer, ParquetEncodeError } from "@tributary/core/lake";

const column = (type: ColumnType, nullable = true): Column => ({ name: "v", type, nullable, lineage: false });

const filled = (type: ColumnType, values: unknown[], nullable = true) => {
  const buffer = new ColumnBuffer(column(type, nullable));
  for (const v of values) buffer.push(v as never);
  return buffer;
};

describe("ColumnBuffer", () => {
  it("keeps timestamps and nulls in order, past its first capacity", () => {
    // Prepare
    const values = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? null : 1767323045123456n + BigInt(i)));

    // Act
    const data = filled("timestamp", values).toData();

    // Assess
    expect(data.length).toBe(3000);
    expect(data.nullCount).toBe(values.filter((v) => v === null).length);
    const vector = makeVector(data);
    const read = values.map((_, i) => (vector.isValid(i) ? (data.values as BigInt64Array)[i] : null));
    expect(read).toEqual(values);
  });

  it("builds the same Arrow data as buildColumnValues for every column type", () => {
    // Prepare
    const cases: [ColumnType, unknown[]][] = [
      ["bigint", [2n ** 62n, null, -3n]],
      ["string", ["KIT-1", null, "héllo 😀"]],
      ["int", [1, null, -7]],
      ["decimal(10,2)", ["12.30", null]],
    ];

    for (const [type, values] of cases) {
      // Act
      const fromBuffer = makeVector(filled(type, values).toData());
      const direct = makeVector(buildColumnValues(column(type), values as never));

      // Assess
      expect([...fromBuffer].map(String)).toEqual([...direct].map(String));
    }
  });

  it("refuses a null in a non-nullable 64-bit column, naming the row", () => {
    // Prepare
    const buffer = filled("bigint", [1n, 2n, null], false);

    // Act
    const attempt = () => buffer.toData();

    // Assess
    expect(attempt).toThrow(ParquetEncodeError);
    expect(attempt).toThrow("lake: column v, row 2: null in a non-nullable bigint column");
  });

  it("refuses a value that is not a 64-bit bigint with the same error as buildColumnValues", () => {
    // Prepare
    const buffer = filled("bigint", [1n, 5, 3n]);

    // Act
    const attempt = () => buffer.toData();

    // Assess
    expect(attempt).toThrow(ParquetEncodeError);
    expect(attempt).toThrow("lake: column v, row 1: expected a 64-bit bigint, got 5");
    expect(() => filled("timestamp", [2n ** 63n]).toData()).toThrow("lake: column v, row 0: expected bigint microseconds, got 9223372036854775808n");
  });
});
