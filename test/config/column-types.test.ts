import { describe, expect, it } from "vitest";
import { coerceValue, parseTimestampMicros, type ColumnType } from "@tributary/core/config";

const ok = (type: ColumnType, raw: unknown) => {
  const r = coerceValue(type, raw);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(raw)} to coerce to ${type}: ${r.reason}`);
  return r.value;
};
const reason = (type: ColumnType, raw: unknown) => {
  const r = coerceValue(type, raw);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused as ${type}`);
  return r.reason;
};

describe("coerceValue", () => {
  it.each([
    ["decimal(10,2)", "12.3", "12.30"],
    ["decimal(10,2)", 12.3, "12.30"],
    ["decimal(10,2)", "-0.00", "0.00"],
    ["decimal(10,2)", "00042", "42.00"],
    ["decimal(10,2)", "12.300", "12.30"],
    ["decimal(38,6)", "12345678901234567890123456789012.123456", "12345678901234567890123456789012.123456"],
    ["decimal(5,0)", "-99999", "-99999"],
  ] as const)("keeps %s exact: %j → %s", (type, raw, expected) => {
    expect(ok(type, raw)).toBe(expected);
  });

  it("refuses decimals that would lose digits", () => {
    expect(reason("decimal(10,2)", "1.234")).toBe('expected at most 2 decimal places, got "1.234"');
    expect(reason("decimal(4,2)", "123.4")).toBe('expected at most 2 integer digits, got "123.4"');
    expect(reason("decimal(10,2)", "1e3")).toContain("expected a decimal(10,2)");
  });

  it("keeps timestamps to the microsecond, with zones applied", () => {
    expect(ok("timestamp", "2026-01-02T03:04:05.1234567Z")).toBe(1767323045123456n);
    expect(ok("timestamp", "2026-01-02T05:04:05.123456+02:00")).toBe(1767323045123456n);
    expect(ok("timestamp", "2026-01-02 03:04:05")).toBe(1767323045000000n);
    expect(ok("timestamp", 1767323045123)).toBe(1767323045123000n);
    expect(reason("timestamp", "2026-02-30T00:00:00Z")).toContain("ISO 8601");
    expect(reason("timestamp", "yesterday")).toBe('expected an ISO 8601 timestamp, got "yesterday"');
  });

  it("checks integer ranges and accepts numeric text", () => {
    expect(ok("int", "42")).toBe(42);
    expect(reason("int", 2147483648)).toContain("32-bit");
    expect(reason("int", 1.5)).toContain("32-bit");
    expect(ok("bigint", "9223372036854775807")).toBe(9223372036854775807n);
    expect(reason("bigint", "9223372036854775808")).toContain("64-bit");
  });

  it("coerces the other scalar types", () => {
    expect(ok("boolean", "TRUE")).toBe(true);
    expect(ok("boolean", 0)).toBe(false);
    expect(reason("boolean", "yes")).toContain("boolean");
    expect(ok("double", "1.5e3")).toBe(1500);
    expect(reason("double", "NaN")).toContain("finite");
    expect(ok("date", "2026-03-04")).toBe("2026-03-04");
    expect(ok("json", { a: [1] })).toBe('{"a":[1]}');
    expect(ok("string", 12)).toBe("12");
    expect(reason("string", { a: 1 })).toContain("a string");
  });

  it.each([
    "2026-01-02T03:04:05Z",
    "2026-01-02 03:04:05z",
    "2026-01-02T03:04:05.1Z",
    "2026-01-02T03:04:05.123456Z",
    "2026-01-02T03:04:05.123456789Z",
    "2024-02-29T23:59:59Z",
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-01-02T24:00:00Z",
    "2026-01-02T23:60:00Z",
    "2026-01-02T23:59:60Z",
    "2026-01-02T03:04:05.Z",
    "2026-01-02T03:04:05,5Z",
    "1899-12-31T23:59:59Z",
    "1969-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59.999999Z",
    "2026-1-02T03:04:05Z",
    "2026-01-02T03:04:0xZ",
  ])("reads timestamp %s exactly as parseTimestampMicros does", (text) => {
    // Act
    const coerced = coerceValue("timestamp", text);

    // Assess
    expect(coerced.ok ? coerced.value : undefined).toBe(parseTimestampMicros(text));
  });
});
