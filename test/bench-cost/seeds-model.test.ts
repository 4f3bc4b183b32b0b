import { describe, expect, it } from "vitest";
import { costLines, GIB, MIB, totalUsd } from "../../bench/cost/cost-model";
import { firehoseLines, firehoseObjects, glueLines, glueSecondsPerRun, kinesisLines, provisionedShards, seedsFilesMonth, seedsGaMonth } from "../../bench/cost/seeds-model";
import { A, MEASURED, SPECS } from "./fixtures";

describe("provisionedShards", () => {
  it("needs one shard for 30M records of 1 KB a month (34 records/s at 3× peak)", () => {
    expect(provisionedShards(30e6, 1000, 2, A)).toBe(1);
  });

  it("sizes by bytes when they bind: 3 billion 2 KB records a month need 7 shards", () => {
    // 3e9 / 2,628,000 s × 3 = 3,424.7 records/s → 4 by records; × 2,000 B = 6.53 MiB/s → 7 by bytes in
    expect(provisionedShards(3e9, 2000, 2, A)).toBe(7);
  });
});

describe("kinesisLines", () => {
  it("prices a provisioned stream by hand: 730 shard-hours and a PUT payload unit per record", () => {
    const usd = costLines(kinesisLines(30e6, 1000, 2, "provisioned", A)).map((l) => l.usd);
    expect(usd[0]).toBeCloseTo(730 * 0.015, 9);
    expect(usd[1]).toBeCloseTo(30 * 0.014, 9);
  });

  it("prices an on-demand stream by hand: stream-hours, GB in rounded to 1 KB, GB out per consumer", () => {
    const lines = kinesisLines(30e6, 1000, 2, "on-demand", A);
    expect(lines.map((l) => l.quantity)).toEqual([730, expect.closeTo((30e6 * 1024) / GIB, 9), expect.closeTo((30e6 * 1000 * 2) / GIB, 9)]);
    expect(totalUsd(costLines(lines))).toBeCloseTo(730 * 0.04 + ((30e6 * 1024) / GIB) * 0.08 + ((30e6 * 2000) / GIB) * 0.04, 9);
  });
});

describe("firehose", () => {
  it("flushes by time when traffic is light: 2,628,000 s / 300 s = 8,760 objects", () => {
    expect(firehoseObjects(30e6, 1000, A)).toBe(8760);
    expect(firehoseObjects(30e9, 1000, A)).toBeCloseTo((30e9 * 1000) / (128 * MIB), 6);
  });

  it("bills every record as 5 KB", () => {
    expect(firehoseLines(30e6, 1000, A)[0]!.quantity).toBeCloseTo((30e6 * 5120) / GIB, 9);
  });
});

describe("glue", () => {
  it("adds a run's share of the data to its fixed time: 0.1 GiB at 100 GiB/DPU-hour on 2 DPU is 1.8 s", () => {
    expect(glueSecondsPerRun(73 * GIB, A)).toBeCloseTo(91.8, 9);
  });

  it("bills at least the minimum a run", () => {
    expect(glueSecondsPerRun(0, { ...A, seeds: { ...A.seeds, glue: { ...A.seeds.glue, fixedSecondsPerRun: 10 } } })).toBe(60);
  });

  it("prices a month by hand: 730 runs × 2 DPU × 91.8 s, GETs per input object, PUTs per output object and run", () => {
    const lines = glueLines(73 * GIB, 10 * GIB, 8760, A);
    expect(lines.map((l) => l.quantity)).toEqual([expect.closeTo((730 * 2 * 91.8) / 3600, 9), 8760, 730 + 730 * 20]);
    expect(costLines(lines)[0]!.usd).toBeCloseTo(((730 * 2 * 91.8) / 3600) * 0.44, 9);
  });
});

describe("seeds designs", () => {
  it("GA: the proxy puts to the stream instead of SQS, and nothing goes through EventBridge", () => {
    const month = seedsGaMonth(MEASURED.ga, SPECS, 30e6, "provisioned", A);
    expect(month.lines.some((l) => l.price === "sqsRequest" || l.price === "eventBridgeEvent")).toBe(false);
    expect(month.lines.find((l) => l.price === "apiHttpRequest")?.quantity).toBe(30e6);
    expect(month.stages.map((s) => s.fn)).toEqual(["ga-proxy → Kinesis", "ga-forward ← Kinesis"]);
  });

  it("files: only the partner's upload and the Glue job", () => {
    const month = seedsFilesMonth(MEASURED.files, 300, 1, A);
    expect(month.lines.map((l) => l.price)).toEqual(["s3PutRequest", "glueDpuHour", "s3GetRequest", "s3PutRequest"]);
  });
});
