import { describe, expect, it } from "vitest";
import { parseConfig } from "../../packages/core/src/config";
import { wiring } from "../../packages/core/src/wiring";
import shipped from "../../tributary.config";
import { MeasurementError } from "../../bench/cost/errors";
import { invocationsPerMonth, queueOf, specsFromWiring } from "../../bench/cost/measured";

describe("invocationsPerMonth", () => {
  it("counts a rate schedule's invocations in a 730-hour month", () => {
    expect(invocationsPerMonth("rate(1 minute)", 730)).toBe(43_800);
    expect(invocationsPerMonth("rate(5 minutes)", 730)).toBe(8760);
    expect(invocationsPerMonth("rate(1 hour)", 730)).toBe(730);
  });

  it("refuses what it cannot count, naming it", () => {
    expect(() => invocationsPerMonth("cron(0 * * * ? *)", 730)).toThrow(MeasurementError);
    expect(() => invocationsPerMonth("cron(0 * * * ? *)", 730)).toThrow("cost: schedule cron(0 * * * ? *) is not a rate(n unit) expression");
  });
});

describe("specsFromWiring", () => {
  it("reads memory, timeouts, queue batching and schedules from the shipped wiring", () => {
    // Act
    const specs = specsFromWiring(wiring(parseConfig(shipped), { lakeBucket: "b" }), 730);

    // Assess
    expect(specs["ga-bronze"]).toEqual({ memoryMb: 1024, timeoutSeconds: 30, queue: { queue: "ga-hits", batchSize: 500, batchWindowSeconds: 1 } });
    expect(specs["ga-proxy"]).toEqual({ memoryMb: 512, timeoutSeconds: 10 });
    expect(specs["cdc-poll"]?.schedulesPerMonth).toBe(43_800);
    expect(queueOf(specs, "file-ingest")).toEqual({ queue: "file-notifications", batchSize: 1, batchWindowSeconds: 0 });
    expect(() => queueOf(specs, "ga-proxy")).toThrow('cost: function "ga-proxy" has no queue trigger in the wiring');
  });
});
