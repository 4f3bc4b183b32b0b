import { describe, expect, it } from "vitest";
import { designCosts, pathUnits } from "../../bench/cost/compare";
import { costLines, MIB, totalUsd } from "../../bench/cost/cost-model";
import { cdcMonth, filesMonth, gaMonth, partnerUploadLine } from "../../bench/cost/tributary-model";
import { A, MEASURED, SECONDS_PER_MONTH, SPECS } from "./fixtures";

describe("gaMonth", () => {
  it("runs the proxy per hit and the consumers per batch, and links what bronze announced", () => {
    // Prepare: 100 hits/s → ga-bronze batches of 20 (1 s window over 5 pollers)
    const hits = 100 * SECONDS_PER_MONTH;

    // Act
    const [ingest, link] = gaMonth(MEASURED.ga, SPECS, hits, A);

    // Assess
    const bronze = ingest!.stages.find((s) => s.fn === "ga-bronze")!;
    expect(bronze.itemsPerInvocation).toBeCloseTo(20, 9);
    expect(ingest!.lines.find((l) => l.item === "ga-bronze: S3 PUT/LIST")?.quantity).toBeCloseTo(hits / 20, 3);
    expect(ingest!.lines.find((l) => l.item === "API Gateway HTTP API requests")?.quantity).toBe(hits);
    // One announcement a bronze batch, delivered to link-requests as one SQS request
    expect(link!.lines[0]!.quantity).toBeCloseTo(hits / 20, 3);
    expect(link!.stages[0]!.itemsPerInvocation).toBeCloseTo(20, 9);
  });

  it("costs one hit's ga-proxy invocation by hand", () => {
    // 0.2 ms × 1769/512 = 0.691 ms + 2 sends × 10 ms / 2 in flight = 10.691 → 11 ms at 0.5 GB
    const [ingest] = gaMonth(MEASURED.ga, SPECS, 1e6, A);
    const proxy = ingest!.stages.find((s) => s.fn === "ga-proxy")!;
    expect(proxy.durationMs).toBe(11);
    const usd = costLines(ingest!.lines.filter((l) => l.item.startsWith("ga-proxy: invocations") || l.item.startsWith("ga-proxy: GB-seconds")));
    expect(totalUsd(usd)).toBeCloseTo(0.2 + 1e6 * 0.5 * 0.011 * 0.0000166667, 9);
  });
});

describe("cdcMonth", () => {
  it("polls once a minute whatever the volume, and publishes each table's metrics", () => {
    const [ingest] = cdcMonth(MEASURED.cdc, SPECS, 30e6, A);
    const poll = ingest!.stages[0]!;
    expect(poll.invocations).toBe(43_800);
    expect(poll.itemsPerInvocation).toBeCloseTo(30e6 / 43_800, 9);
    // 25 + 684.93 × 0.05 = 59.25 ms CPU
    expect(poll.cpuMs).toBeCloseTo(25 + (30e6 / 43_800) * 0.05, 9);
    expect(ingest!.lines.find((l) => l.price === "customMetricMonth")?.quantity).toBe(8);
  });
});

describe("filesMonth", () => {
  it("runs one invocation per file and pays for the partner's multipart upload", () => {
    const [ingest] = filesMonth(MEASURED.files, SPECS, 300, 1, A);
    expect(ingest!.stages[0]!.invocations).toBe(300);
    // 1 GiB × 0.27 = 276.5 MiB of gzip → 35 parts of 8 MiB + create + complete
    expect(ingest!.lines[0]!.quantity).toBe(300 * 37);
  });

  it("uploads a small file in one PUT", () => {
    expect(partnerUploadLine(10, 3 * MIB, A).quantity).toBe(10);
  });
});

describe("designCosts", () => {
  it("divides each design's month by the units in it", () => {
    const [ga] = pathUnits(A);
    const costs = designCosts(ga!, MEASURED, SPECS, 30e6, A);
    expect(costs.map((c) => c.design)).toEqual([
      "GA: Tributary → bronze",
      "GA: real-time link (extra)",
      "GA: seeds, Kinesis provisioned + Firehose + Glue",
      "GA: seeds, Kinesis on-demand + Firehose + Glue",
    ]);
    for (const c of costs) expect(c.perUnitUsd).toBeCloseTo(c.monthlyUsd / 30, 9);
  });
});

describe("the link design", () => {
  it("refuses a path that lands rows but announced none (a broken measurement)", () => {
    const silent = { ...MEASURED.ga, bronze: { ...MEASURED.ga.bronze, requests: { ...MEASURED.ga.bronze.requests, linkAnnouncements: { perInvocation: 0, perItem: 0 } } } };
    expect(() => gaMonth(silent, SPECS, 1e6, A)).toThrow("cost: GA lands 1000000 rows a month but announces none");
  });
});
