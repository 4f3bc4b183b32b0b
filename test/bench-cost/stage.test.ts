import { describe, expect, it } from "vitest";
import { GIB } from "../../bench/cost/cost-model";
import { idlePollLine, ioWaitMs, itemsPerInvocation, stageMonth } from "../../bench/cost/stage";
import { zeroCounts } from "../../bench/cost/work";
import { A, SECONDS_PER_MONTH, work } from "./fixtures";

const queue = { kind: "queue" as const, queue: "ga-hits", batchSize: 500, batchWindowSeconds: 1 };

describe("itemsPerInvocation", () => {
  it("is 1 for HTTP, the month's items over the polls for a schedule", () => {
    expect(itemsPerInvocation({ fn: "f", memoryMb: 512, work: work({}), trigger: { kind: "http" }, itemsPerMonth: 5 }, A)).toBe(1);
    expect(itemsPerInvocation({ fn: "f", memoryMb: 512, work: work({}), trigger: { kind: "schedule", invocationsPerMonth: 43_800 }, itemsPerMonth: 30e6 }, A)).toBeCloseTo(684.93, 2);
  });

  it("follows the traffic for a queue: 100 messages/s over 5 pollers and a 1 s window is 20 a batch", () => {
    expect(itemsPerInvocation({ fn: "f", memoryMb: 512, work: work({}), trigger: queue, itemsPerMonth: 100 * SECONDS_PER_MONTH }, A)).toBeCloseTo(20, 9);
  });

  it("counts items per message: a file of 2 GiB is one message of 2 items (GiB)", () => {
    const files = { kind: "queue" as const, queue: "file-notifications", batchSize: 1, batchWindowSeconds: 0 };
    expect(itemsPerInvocation({ fn: "f", memoryMb: 2048, work: work({}), trigger: files, itemsPerMonth: 300, messagesPerItem: 0.5 }, A)).toBe(2);
  });

  it("takes a second of records per stream poll, up to the batch", () => {
    expect(itemsPerInvocation({ fn: "f", memoryMb: 256, work: work({}), trigger: { kind: "stream", batchSize: 100 }, itemsPerMonth: 50 * SECONDS_PER_MONTH }, A)).toBeCloseTo(50, 9);
  });
});

describe("ioWaitMs", () => {
  it("sums each call's assumed latency, divided by the calls in flight, plus the bytes written", () => {
    // 2 SQS sends × 10 ms / 2 in flight (ga-proxy) = 10; 1 PUT × 30 + 1 MB at 100 MB/s = 10 ms
    expect(ioWaitMs("ga-proxy", { ...zeroCounts(), sqsSendCalls: 2 }, A)).toBe(10);
    expect(ioWaitMs("ga-bronze", { ...zeroCounts(), s3Put: 1, s3BytesWritten: 1e6 }, A)).toBeCloseTo(40, 9);
  });
});

describe("stageMonth", () => {
  it("prices a million HTTP invocations by hand", () => {
    // Prepare: 2 ms CPU, one SQS send (10 ms) a request, 1024 MB: 2 × 1769/1024 = 3.455 + 10 → 14 ms
    const stage = { fn: "api", memoryMb: 1024, work: work({ perInvocation: 2 }, { sqsSendCalls: { perItem: 1 }, sqsSendBilled: { perItem: 1 } }), trigger: { kind: "http" as const }, itemsPerMonth: 1e6 };

    // Act
    const month = stageMonth(stage, A);
    const quantity = (start: string) => month.lines.find((l) => l.item.startsWith(start))?.quantity;

    // Assess
    expect(month.durationMs).toBe(14);
    expect(quantity("api: invocations")).toBe(1e6);
    expect(quantity("api: GB-seconds")).toBeCloseTo(14_000, 6);
    expect(quantity("api: SQS sends")).toBe(1e6);
    expect(quantity("api: logs")).toBeCloseTo((400 * 1e6) / GIB, 9);
    expect(quantity("api: X-Ray")).toBeCloseTo(50_000, 6);
    expect(quantity("api: SQS receives")).toBeUndefined();
    expect(quantity("api: S3")).toBeUndefined();
  });

  it("adds receives and deletes for a queue: 20 messages a batch is 2 receives + 2 deletes", () => {
    const month = stageMonth({ fn: "q", memoryMb: 1024, work: work({ perInvocation: 1 }), trigger: queue, itemsPerMonth: 100 * SECONDS_PER_MONTH }, A);
    expect(month.invocations).toBeCloseTo(5 * SECONDS_PER_MONTH, 3);
    expect(month.lines.find((l) => l.item.startsWith("q: SQS receives"))?.quantity).toBeCloseTo(4 * 5 * SECONDS_PER_MONTH, 3);
  });

  it("runs a schedule even with no traffic", () => {
    const month = stageMonth({ fn: "poll", memoryMb: 1024, work: work({ perInvocation: 25 }), trigger: { kind: "schedule", invocationsPerMonth: 43_800 }, itemsPerMonth: 0 }, A);
    expect(month.invocations).toBe(43_800);
  });

  it("counts the idle long polls of a queue's pollers: 5 × 2,628,000 s / 20 s", () => {
    expect(idlePollLine("ga-hits", A).quantity).toBe(657_000);
  });
});
