/**
 * Retrying a flaky call with capped exponential backoff and "full jitter": each wait is drawn uniformly from
 * [0, min(maxDelay, base · 2^retry)]. Spreading retries at random keeps many forwarders that failed together
 * from hammering Google together when it comes back.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";

export interface RetryOptions {
  /** Total calls, the first included (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  /** Upper bound of one backoff wait. */
  maxDelayMs: number;
  /** Whether an error is worth another attempt; anything else is thrown at once. */
  isRetryable(error: unknown): boolean;
  /** A wait the server asked for (e.g. `Retry-After`), in ms; it replaces the backoff draw for that retry. */
  retryAfterMs?(error: unknown): number | undefined;
  /** Cap on a server-requested wait (default `maxDelayMs`): a long `Retry-After` is better served by a later redelivery. */
  maxRetryAfterMs?: number;
  /** Called before each wait, e.g. to record the failed attempt. */
  onRetry?(error: unknown, attempt: number, delayMs: number): void | Promise<void>;
  sleep?(ms: number): Promise<void>;
  /** A number in [0, 1); injectable so tests can pin the jitter. */
  random?(): number;
}

const RetryLimitsSchema = z
  .object({
    maxAttempts: z.number().int().min(1),
    baseDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    maxRetryAfterMs: z.number().min(0).optional(),
  })
  .refine((limits) => limits.maxDelayMs >= limits.baseDelayMs, { message: "maxDelayMs must be at least baseDelayMs" });

/**
 * Calls `fn` until it resolves, an error is not retryable, or `maxAttempts` calls have failed; then throws the last
 * error unchanged. `fn` receives the 1-based attempt number.
 *
 * @example
 * const body = await withRetries((attempt) => fetchOnce(url), {
 *   maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000,
 *   isRetryable: (error) => error instanceof TransientError,
 * });
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const limits = RetryLimitsSchema.parse({
    maxAttempts: options.maxAttempts,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
  });
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= limits.maxAttempts || !options.isRetryable(error)) throw error;
      const requested = options.retryAfterMs?.(error);
      const wait =
        requested !== undefined
          ? Math.min(requested, limits.maxRetryAfterMs ?? limits.maxDelayMs)
          : backoffDelay(attempt - 1, limits.baseDelayMs, limits.maxDelayMs, random);
      await options.onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}

/**
 * The full-jitter wait before retry number `retry` (0 for the first retry).
 *
 * @example
 * backoffDelay(3, 100, 5_000, () => 0.5); // 400: half of min(5000, 100 · 2³)
 */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Reads an HTTP `Retry-After` header — delay-seconds or an HTTP-date (RFC 9110 §10.2.3) — as ms from `now`.
 * Undefined when absent or unreadable, so the caller falls back to its own backoff.
 *
 * @example
 * parseRetryAfter("2", new Date()); // 2000
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
