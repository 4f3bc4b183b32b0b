/**
 * Full-jitter retries: what is retried, how long it waits (with the jitter pinned), and Retry-After parsing.
 */
import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter, withRetries } from "../../packages/core/src/ga/retry";

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super("transient");
  }
}

/** A call failing with `failures` in order, then resolving "ok"; records the attempts it saw. */
function flaky(failures: Error[]) {
  const seen: number[] = [];
  return {
    seen,
    call: async (attempt: number) => {
      seen.push(attempt);
      const failure = failures[attempt - 1];
      if (failure) throw failure;
      return "ok";
    },
  };
}

const recordSleeps = () => {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
};

describe("withRetries", () => {
  it("retries retryable failures with full-jitter backoff until the call succeeds", async () => {
    // Prepare
    const call = flaky([new Transient(), new Transient(), new Transient()]);
    const { sleeps, sleep } = recordSleeps();

    // Act
    const result = await withRetries(call.call, {
      maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, isRetryable: (e) => e instanceof Transient, sleep, random: () => 0.5,
    });

    // Assess: waits are half of min(1000, 100·2^retry)
    expect(result).toBe("ok");
    expect(call.seen).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it("throws the last error once maxAttempts calls have failed", async () => {
    // Prepare
    const last = new Transient();
    const call = flaky([new Transient(), new Transient(), last]);

    // Act
    const attempt = withRetries(call.call, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, isRetryable: () => true, sleep: async () => {} });

    // Assess
    await expect(attempt).rejects.toBe(last);
    expect(call.seen).toEqual([1, 2, 3]);
  });

  it("throws a non-retryable error at once", async () => {
    // Prepare
    const permanent = new Error("permanent");
    const call = flaky([permanent]);

    // Act
    const attempt = withRetries(call.call, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2, isRetryable: (e) => e instanceof Transient, sleep: async () => {} });

    // Assess
    await expect(attempt).rejects.toBe(permanent);
    expect(call.seen).toEqual([1]);
  });

  it("waits what the server asked for instead of the backoff draw, capped at maxRetryAfterMs", async () => {
    // Prepare
    const call = flaky([new Transient(1_500), new Transient(60_000), new Transient()]);
    const { sleeps, sleep } = recordSleeps();
    const onRetry: number[] = [];

    // Act
    await withRetries(call.call, {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 400,
      maxRetryAfterMs: 10_000,
      isRetryable: () => true,
      retryAfterMs: (e) => (e as Transient).retryAfterMs,
      onRetry: (_e, attempt) => void onRetry.push(attempt),
      sleep,
      random: () => 0.999,
    });

    // Assess
    expect(sleeps).toEqual([1_500, 10_000, 399]);
    expect(onRetry).toEqual([1, 2, 3]);
  });

  it("refuses limits that make no sense", async () => {
    // Act
    const attempt = withRetries(async () => "never", { maxAttempts: 0, baseDelayMs: 10, maxDelayMs: 5, isRetryable: () => true });

    // Assess
    await expect(attempt).rejects.toThrow(/maxAttempts|maxDelayMs/);
  });
});

describe("backoffDelay", () => {
  it.each([
    [0, 0.5, 50],
    [3, 0.5, 400],
    [10, 0.5, 2_500],
    [4, 0, 0],
  ])("retry %i with random %d waits %i ms (base 100, max 5000)", (retry, random, expected) => {
    expect(backoffDelay(retry, 100, 5_000, () => random)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-03-01T12:00:00Z");

  it.each([
    ["2", 2_000],
    [" 0 ", 0],
    ["Sun, 01 Mar 2026 12:00:30 GMT", 30_000],
    ["Sun, 01 Mar 2026 11:00:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
    [null, undefined],
  ])("%j → %j ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
