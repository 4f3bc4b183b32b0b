import { describe, expect, it } from "vitest";
import { costReport } from "../../bench/cost/report";
import { zeroCounts } from "../../bench/cost/work";
import { A, MEASURED, SPECS } from "./fixtures";

describe("costReport", () => {
  const input = {
    machine: "test machine",
    date: "2026-11-21",
    measured: MEASURED,
    rows: [{ fn: "ga-proxy", item: "GA hit", samples: [{ invocations: 10, items: 10, cpuMs: 2, requests: zeroCounts() }], work: MEASURED.ga.proxy }],
    specs: SPECS,
    assumptions: A,
  };

  it("has every path, both designs, the summary, prices and assumptions", () => {
    const report = costReport(input);
    for (const heading of ["### GA hits", "### CDC changes", "### partner files", "### Summary", "### Sensitivity", "### Prices", "### Assumptions"]) expect(report).toContain(heading);
    expect(report).toContain("GA: seeds, Kinesis provisioned + Firehose + Glue");
    expect(report).toContain("GA: Tributary → bronze + real-time link");
    expect(report).toContain("eu-west-1 list prices as of");
  });

  it("flags an invocation billed past its function's timeout", () => {
    // 13M rows of a 1 GiB file in one link invocation at 1 ms each: far past link's 120 s
    expect(costReport(input)).toContain("over its 120 s timeout");
  });
});
