import { describe, expect, it } from "vitest";
import {
  billedChunks,
  costLines,
  gbSeconds,
  lambdaDurationMs,
  messagesPerBatch,
  receiveAndDeleteRequests,
  roundedUpBytes,
  scaleLines,
  SQS_CHUNK_BYTES,
  totalUsd,
} from "../../bench/cost/cost-model";
import { InvalidCostInputError } from "../../bench/cost/errors";

describe("billedChunks", () => {
  it("bills every started 64 KB chunk, and an empty payload as one", () => {
    expect(billedChunks(70_000, SQS_CHUNK_BYTES)).toBe(2);
    expect(billedChunks(65_536, SQS_CHUNK_BYTES)).toBe(1);
    expect(billedChunks(65_537, SQS_CHUNK_BYTES)).toBe(2);
    expect(billedChunks(0, SQS_CHUNK_BYTES)).toBe(1);
  });

  it("refuses a negative size, naming it", () => {
    expect(() => billedChunks(-1, SQS_CHUNK_BYTES)).toThrow(InvalidCostInputError);
    expect(() => billedChunks(-1, SQS_CHUNK_BYTES)).toThrow("cost: bytes must be a finite number ≥ 0, got -1");
  });

  it("rounds records up the way Firehose does (3 KB → 5 KB, 12 KB → 15 KB)", () => {
    expect(roundedUpBytes(3 * 1024, 5 * 1024)).toBe(5 * 1024);
    expect(roundedUpBytes(12 * 1024, 5 * 1024)).toBe(15 * 1024);
  });
});

describe("lambdaDurationMs", () => {
  it("scales CPU by the vCPU share below 1769 MB, adds the wait and rounds up to the ms", () => {
    // 1 ms × 1769/512 = 3.455 ms, + 10 ms of waiting = 13.455 → 14 ms
    expect(lambdaDurationMs(512, { cpuMs: 1, ioWaitMs: 10 }, 1)).toBe(14);
    // 256 MB: 1769/256 = 6.91×; 3 ms → 20.73, + 72 → 92.73 → 93
    expect(lambdaDurationMs(256, { cpuMs: 3, ioWaitMs: 72 }, 1)).toBe(93);
  });

  it("gives no extra CPU above 1769 MB (one JS thread) but applies the CPU speed factor", () => {
    expect(lambdaDurationMs(2048, { cpuMs: 100, ioWaitMs: 0 }, 1.5)).toBe(150);
    expect(lambdaDurationMs(1769, { cpuMs: 10, ioWaitMs: 5 }, 1)).toBe(15);
  });

  it("bills at least one millisecond", () => {
    expect(lambdaDurationMs(1024, { cpuMs: 0, ioWaitMs: 0 }, 1)).toBe(1);
  });

  it("refuses a zero memory size", () => {
    expect(() => lambdaDurationMs(0, { cpuMs: 1, ioWaitMs: 1 }, 1)).toThrow("cost: memoryMb must be a finite number > 0, got 0");
  });
});

describe("gbSeconds", () => {
  it("is memory in GB (MB / 1024) times billed seconds", () => {
    expect(gbSeconds(512, 14)).toBeCloseTo(0.007, 12);
    expect(gbSeconds(1024, 1000)).toBe(1);
  });
});

describe("messagesPerBatch", () => {
  const queue = { batchSize: 500, batchWindowSeconds: 1, pollers: 5, minGatherSeconds: 0.05 };

  it("shares a second's traffic among the pollers, between 1 and the batch size", () => {
    expect(messagesPerBatch({ ...queue, messagesPerSecond: 100 })).toBe(20);
    expect(messagesPerBatch({ ...queue, messagesPerSecond: 1_000_000 })).toBe(500);
    expect(messagesPerBatch({ ...queue, messagesPerSecond: 0.1 })).toBe(1);
  });

  it("gathers one receive's worth with a window of 0", () => {
    const noWindow = { ...queue, batchSize: 10, batchWindowSeconds: 0 };
    expect(messagesPerBatch({ ...noWindow, messagesPerSecond: 200 })).toBeCloseTo(2, 12); // 200 × 0.05 / 5
    expect(messagesPerBatch({ ...noWindow, messagesPerSecond: 10_000 })).toBe(10);
  });
});

describe("receiveAndDeleteRequests", () => {
  it("is one receive and one delete per 10 messages", () => {
    expect(receiveAndDeleteRequests(1)).toBe(2);
    expect(receiveAndDeleteRequests(10)).toBe(2);
    expect(receiveAndDeleteRequests(11)).toBe(4);
    expect(receiveAndDeleteRequests(25)).toBe(6);
  });
});

describe("costLines", () => {
  it("prices a million 14 ms invocations of a 512 MB function by hand", () => {
    // Prepare: 1M requests at $0.20/M; 1M × 0.5 GB × 0.014 s = 7,000 GB-s at $0.0000166667
    const lines = [
      { item: "requests", quantity: 1e6, price: "lambdaRequest" as const, basis: "derived" as const },
      { item: "GB-seconds", quantity: 1e6 * gbSeconds(512, 14), price: "lambdaGbSecond" as const, basis: "derived" as const },
    ];

    // Act
    const costed = costLines(lines);

    // Assess
    expect(costed[0]!.usd).toBeCloseTo(0.2, 12);
    expect(costed[1]!.usd).toBeCloseTo(7000 * 0.0000166667, 12);
    expect(totalUsd(costed)).toBeCloseTo(0.3166669, 9);
  });

  it("prices requests sold per thousand (S3) and per million (SQS)", () => {
    const costed = costLines([
      { item: "puts", quantity: 1000, price: "s3PutRequest", basis: "counted" },
      { item: "gets", quantity: 1e6, price: "s3GetRequest", basis: "counted" },
      { item: "sqs", quantity: 2.5e6, price: "sqsRequest", basis: "counted" },
    ]);
    expect(costed.map((c) => c.usd)).toEqual([0.005, expect.closeTo(0.4, 12), expect.closeTo(1.0, 12)]);
  });

  it("refuses a negative quantity, naming the line", () => {
    expect(() => costLines([{ item: "puts", quantity: -1, price: "s3PutRequest", basis: "counted" }])).toThrow('cost: quantity of "puts" must be');
  });

  it("scales a month's lines down to a unit", () => {
    const perMillion = scaleLines([{ item: "x", quantity: 30e6, price: "sqsRequest", basis: "counted" }], 1 / 30);
    expect(perMillion[0]!.quantity).toBeCloseTo(1e6, 6);
  });
});
