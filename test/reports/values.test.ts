import { describe, expect, it } from "vitest";
import { instantOf, isDecimalText, sumDecimals, utmSourceOf } from "@tributary/core/reports";

describe("instantOf", () => {
  it("reads DuckDB's JSON rendering of a TIMESTAMPTZ, with and without a fraction", () => {
    expect(instantOf("2026-10-01 08:00:00+00")).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf("2026-10-01 08:00:00.5+00")).toBe("2026-10-01T08:00:00.500Z");
    // DuckDB keeps microseconds; the report keeps milliseconds (what an ISO instant in JS carries).
    expect(instantOf("2026-10-01 08:00:00.123456+00")).toBe("2026-10-01T08:00:00.123Z");
  });

  it("converts other offsets to UTC", () => {
    expect(instantOf("2026-10-01 10:00:00+02")).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf("2026-10-01 03:00:00-05")).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf("2026-10-01 10:30:00+02:30")).toBe("2026-10-01T08:00:00.000Z");
  });

  it("reads ISO text with Z and takes text without a zone as UTC", () => {
    expect(instantOf("2026-10-01T08:00:00Z")).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf("2026-10-01T08:00:00.250Z")).toBe("2026-10-01T08:00:00.250Z");
    expect(instantOf("2026-10-01 08:00:00")).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf(" 2026-10-01 08:00:00+00 ")).toBe("2026-10-01T08:00:00.000Z");
  });

  it("reads epoch milliseconds and Dates", () => {
    expect(instantOf(Date.UTC(2026, 9, 1, 8))).toBe("2026-10-01T08:00:00.000Z");
    expect(instantOf(new Date("2026-10-01T08:00:00Z"))).toBe("2026-10-01T08:00:00.000Z");
  });

  it("gives undefined for empty values and for what is not an instant", () => {
    for (const value of [null, undefined, "", "hello", "Monday", "2026-13-01 08:00:00+00", "12", "2026", "not a date 5", "2026-02-30 08:00:00", true, {}, Number.NaN, Number.POSITIVE_INFINITY, new Date("nope")]) {
      expect(instantOf(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it("reads a DuckDB DATE as midnight UTC", () => {
    expect(instantOf("2026-10-01")).toBe("2026-10-01T00:00:00.000Z");
  });

  it("gives text that orders like time (what the report compares)", () => {
    const earlier = instantOf("2026-10-01 09:59:59.999+00")!;
    const later = instantOf("2026-10-01 12:00:00+02")!; // 10:00 UTC
    expect(earlier < later).toBe(true);
  });
});

describe("sumDecimals", () => {
  it("adds exactly, never through floating point", () => {
    expect(0.1 + 0.2).not.toBe(0.3); // why this function exists
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
  });

  it("keeps the largest scale among the values", () => {
    expect(sumDecimals(["12.50", "0.05", "-1"])).toBe("11.55");
    expect(sumDecimals(["1.5", "2"])).toBe("3.5");
    expect(sumDecimals(["1.5", "-1.50"])).toBe("0.00");
    expect(sumDecimals(["1", "2"])).toBe("3");
  });

  it("handles negatives, signs, padding and zero", () => {
    expect(sumDecimals(["-0.05"])).toBe("-0.05");
    expect(sumDecimals(["-0.5", "0.25"])).toBe("-0.25");
    expect(sumDecimals(["+3", " 2.25 "])).toBe("5.25");
    expect(sumDecimals(["-10.00", "-0.01"])).toBe("-10.01");
    expect(sumDecimals([])).toBe("0");
  });

  it("stays exact over many values and beyond Number's integer range", () => {
    expect(sumDecimals(Array.from({ length: 10_000 }, () => "0.01"))).toBe("100.00");
    expect(sumDecimals(Array.from({ length: 1_000 }, (_, i) => (i % 2 === 0 ? "19.99" : "-9.99")))).toBe("5000.00");
    expect(sumDecimals(["9007199254740993.01", "0.99"])).toBe("9007199254740994.00");
  });

  it("refuses text that is not a decimal, naming it", () => {
    for (const bad of ["1e3", ".5", "5.", "abc", "1,5", ""]) {
      expect(() => sumDecimals(["1", bad]), bad).toThrow(`reports: ${JSON.stringify(bad)} is not a decimal`);
    }
  });
});

describe("isDecimalText", () => {
  it("accepts exact decimal text only", () => {
    expect(["12.50", "-1", "+0.05", " 7 "].map(isDecimalText)).toEqual([true, true, true, true]);
    expect(["1e3", "abc", "", 12.5, null].map(isDecimalText)).toEqual([false, false, false, false, false]);
  });
});

describe("utmSourceOf", () => {
  it("reads utm_source from a landing URL", () => {
    expect(utmSourceOf("https://shop.example.com/kits?utm_source=newsletter&utm_medium=email")).toBe("newsletter");
    expect(utmSourceOf("https://shop.example.com/?utm_source=%20google%20")).toBe("google");
    expect(utmSourceOf("https://shop.example.com/?utm_source=a&utm_source=b")).toBe("a");
  });

  it("gives undefined without a URL, for what is not a URL, and without a (non-blank) utm_source", () => {
    for (const url of [undefined, null, "", 42, "not a url", "/relative?utm_source=x", "https://shop.example.com/", "https://shop.example.com/?utm_source=", "https://shop.example.com/?utm_source=%20", "https://shop.example.com/?UTM_SOURCE=x"]) {
      expect(utmSourceOf(url), String(url)).toBeUndefined();
    }
  });
});
