import { describe, expect, it } from "vitest";
import { atItems, fitLinear, fitWork, zeroCounts, type WorkSample } from "../../bench/cost/work";

describe("fitLinear", () => {
  it("separates a fixed part per invocation from a part per item (batches of 500 and of 10)", () => {
    // 1 × 10 + 500 × 0.5 = 260; 50 × 10 + 500 × 0.5 = 750
    const fit = fitLinear([
      { invocations: 1, items: 500, total: 260 },
      { invocations: 50, items: 500, total: 750 },
    ]);
    expect(fit.perInvocation).toBeCloseTo(10, 9);
    expect(fit.perItem).toBeCloseTo(0.5, 9);
  });

  it("takes idle polls (no items) with a busy one", () => {
    // 3 idle polls of 10 ms; one poll of 1000 rows: 10 + 1000 × 0.5
    const fit = fitLinear([
      { invocations: 3, items: 0, total: 30 },
      { invocations: 1, items: 1000, total: 510 },
    ]);
    expect(fit.perInvocation).toBeCloseTo(10, 9);
    expect(fit.perItem).toBeCloseTo(0.5, 9);
  });

  it("puts everything on the item when the samples cannot tell them apart", () => {
    expect(fitLinear([{ invocations: 1, items: 100, total: 50 }])).toEqual({ perInvocation: 0, perItem: 0.5 });
    expect(fitLinear([{ invocations: 3, items: 0, total: 30 }])).toEqual({ perInvocation: 10, perItem: 0 });
  });

  it("does not split batches of nearly the same size (two announcements of ~1,600 records)", () => {
    // An exact solve would invent a fixed part from noise: 1,600 → 4,800 and 1,605 → 4,900 gives −27,200 + 20/record
    const fit = fitLinear([
      { invocations: 1, items: 1600, total: 4800 },
      { invocations: 1, items: 1605, total: 4900 },
    ]);
    expect(fit.perInvocation).toBe(0);
    expect(fit.perItem).toBeCloseTo((1600 * 4800 + 1605 * 4900) / (1600 ** 2 + 1605 ** 2), 12);
  });

  it("never gives a negative part: refits the other alone", () => {
    // The exact line (−10 + 1.1/item) would have a negative fixed part: items only, Σ(t·n)/Σn² = 10010/10100
    const fit = fitLinear([
      { invocations: 1, items: 10, total: 1 },
      { invocations: 1, items: 100, total: 100 },
    ]);
    expect(fit.perInvocation).toBe(0);
    expect(fit.perItem).toBeCloseTo(10010 / 10100, 12);
  });

  it("refuses no samples", () => {
    expect(() => fitLinear([])).toThrow("cost: samples must be at least one sample");
  });
});

describe("fitWork", () => {
  it("fits CPU and every request count, and evaluates them at a batch size", () => {
    // Prepare: one S3 PUT per batch, one WRU per item
    const sample = (invocations: number, items: number): WorkSample => ({
      invocations,
      items,
      cpuMs: invocations * 12 + items * 0.1,
      requests: { ...zeroCounts(), s3Put: invocations, dynamoWriteUnits: items },
    });

    // Act
    const work = fitWork([sample(4, 2000), sample(50, 500)]);

    // Assess
    expect(atItems(work.cpuMs, 100)).toBeCloseTo(22, 9);
    expect(atItems(work.requests.s3Put, 100)).toBeCloseTo(1, 9);
    expect(atItems(work.requests.dynamoWriteUnits, 100)).toBeCloseTo(100, 9);
    expect(work.requests.eventBridgeBilled).toEqual({ perInvocation: 0, perItem: 0 });
  });
});
