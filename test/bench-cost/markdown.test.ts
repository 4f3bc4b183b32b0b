import { describe, expect, it } from "vitest";
import { formatNumber, formatUsd, table } from "../../bench/cost/markdown";

describe("formatUsd", () => {
  it("keeps the digits that matter", () => {
    expect([formatUsd(0), formatUsd(1234.4), formatUsd(12.345), formatUsd(1.234), formatUsd(0.1234), formatUsd(0.001234)]).toEqual([
      "$0",
      "$1234",
      "$12.3",
      "$1.23",
      "$0.123",
      "$0.0012",
    ]);
  });

  it("writes plain numbers with thousands separators", () => {
    expect([formatNumber(43_800), formatNumber(12.34), formatNumber(0.5), formatNumber(0.00123)]).toEqual(["43,800", "12.3", "0.50", "0.0012"]);
  });
});

describe("table", () => {
  it("writes a Markdown table with its alignment row", () => {
    expect(table(["a", "b"], ["---", "---:"], [["x", "1"]])).toBe("| a | b |\n|---|---:|\n| x | 1 |");
  });
});
