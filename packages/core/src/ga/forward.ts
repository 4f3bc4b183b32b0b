/**
 * Forwarding one accepted GA hit to Google's Measurement Protocol, exactly once per event as far as we can tell.
 *
 * The protocol has no dedupe key, so each event's status lives in `ga_forward_status`: events already `sent` are
 * left out of the request, and a redelivered hit sends only what Google has not accepted yet. One duplicate risk
 * remains and cannot be closed from our side: Google may process a request whose answer we never see (a timeout,
 * a reset after the body was read, or a crash between Google's 2xx and `markSent`); the retry or redelivery then
 * sends those events again.
 */
import { z } from "zod";
import type { GaHit } from "./hit";
import {
  GaApiSecretMissingError,
  GaForwardAttemptError,
  GaForwardPayloadError,
  GaForwardRejectedError,
  GaForwardRetryableError,
} from "./forward-errors";
import { markAttempt, markExpired, markSent, sentEventIds, type ForwardStatusPorts } from "./forward-status";
import { parseRetryAfter, withRetries } from "./retry";

export interface ForwardOptions {
  /** Base URL of the collection host, e.g. `https://www.google-analytics.com` (EU: `https://region1.google-analytics.com`). */
  endpoint: string;
  /** The Measurement Protocol API secret of a measurement id; undefined when none is configured. */
  apiSecretFor(measurementId: string): Promise<string | undefined>;
  /** GA4 measurement id that UA hits with a GA4 mapping go to (`ga.uaForwardTo`). */
  uaForwardTo?: string;
  now?: () => Date;
  fetch?: typeof fetch;
  /** Per request, answer included (default 10 s). */
  timeoutMs?: number;
  /** Requests per forward, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff base (default 200 ms); waits are full-jitter draws below min(maxDelayMs, base · 2^retry). */
  baseDelayMs?: number;
  /** Longest wait between two requests, `Retry-After` included (default 5 s). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type ForwardOutcome =
  | { outcome: "sent" | "already-sent" | "kept-raw" | "expired"; sentEvents: number; attempts: number }
  | { outcome: "rejected"; sentEvents: 0; attempts: number; rejection: GaForwardRejectedError };

/** Google accepts events backdated by up to 72 hours; older ones are dropped silently, so we stop trying. */
export const FORWARD_WINDOW_MS = 72 * 60 * 60 * 1000;
export const MAX_EVENTS_PER_REQUEST = 25;
/** The body must stay under 130 kB; counted in bytes of 1000 to stay on the safe side. */
export const MAX_BODY_BYTES = 130_000;
const EXCERPT_CHARS = 300;

const fn = <T>(name: string) => z.custom<T>((value) => typeof value === "function", `${name} must be a function`);

const ForwardOptionsSchema = z
  .object({
    endpoint: z.url({ protocol: /^https?$/ }),
    apiSecretFor: fn<ForwardOptions["apiSecretFor"]>("apiSecretFor"),
    uaForwardTo: z.string().min(1).optional(),
    now: fn<() => Date>("now"),
    fetch: fn<typeof fetch>("fetch"),
    timeoutMs: z.number().int().positive(),
    maxAttempts: z.number().int().min(1).max(10),
    baseDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    sleep: fn<(ms: number) => Promise<void>>("sleep").optional(),
    random: fn<() => number>("random").optional(),
  })
  .strict();

/** One unit of deduplication: the event ids it settles and the GA4 events sent for them. */
interface ForwardUnit {
  eventIds: string[];
  events: unknown[];
}

interface ForwardTarget {
  measurementId: string;
  /** The GA4 body without its events. */
  envelope: Record<string, unknown>;
  units: ForwardUnit[];
}

/**
 * Sends the not-yet-sent events of `hit` to Google, retrying transient failures with jittered backoff.
 * Resolves with what happened; throws `GaForwardRetryableError` when every attempt failed transiently (report a
 * batch item failure so SQS redelivers later) and a permanent `GaForwardError` (`GaApiSecretMissingError`,
 * `GaForwardPayloadError`) when the hit can never be sent as configured. `expired` and `rejected` outcomes
 * belong in the dead-letter queue.
 *
 * @example
 * const result = await forwardHit(ports, hit, {
 *   endpoint: "https://www.google-analytics.com",
 *   apiSecretFor: async (id) => secrets[id],
 *   uaForwardTo: config.ga?.uaForwardTo,
 * });
 * if (result.outcome === "rejected" || result.outcome === "expired") await sendToDeadLetters(hit, result);
 */
export async function forwardHit(ports: ForwardStatusPorts, hit: GaHit, options: ForwardOptions): Promise<ForwardOutcome> {
  const opts = ForwardOptionsSchema.parse({
    now: () => new Date(),
    fetch: globalThis.fetch,
    timeoutMs: 10_000,
    maxAttempts: 4,
    baseDelayMs: 200,
    maxDelayMs: 5_000,
    ...withoutUndefined(options),
  });
  const target = forwardTarget(hit, opts.uaForwardTo);
  if (!target) return { outcome: "kept-raw", sentEvents: 0, attempts: 0 };

  const sent = await sentEventIds(ports, target.units.flatMap((unit) => unit.eventIds));
  const pending = target.units.filter((unit) => unit.eventIds.some((id) => !sent.has(id)));
  const pendingIds = pending.flatMap((unit) => unit.eventIds);
  if (pending.length === 0) return { outcome: "already-sent", sentEvents: 0, attempts: 0 };

  const now = opts.now();
  if (now.getTime() - receivedAtMs(hit) > FORWARD_WINDOW_MS) {
    await markExpired(ports, pendingIds, now);
    return { outcome: "expired", sentEvents: 0, attempts: 0 };
  }

  const secret = await opts.apiSecretFor(target.measurementId);
  if (!secret) {
    const missing = new GaApiSecretMissingError(hit.hitId, target.measurementId);
    await recordAttempt(ports, pendingIds, missing.message, now);
    throw missing;
  }

  const json = requestJson(hit, target, pending);
  const url = new URL(`${opts.endpoint.replace(/\/+$/, "")}/mp/collect`);
  url.searchParams.set("measurement_id", target.measurementId);
  url.searchParams.set("api_secret", secret);
  const label = `hit ${hit.hitId} to ${target.measurementId}`;

  let attempts = 0;
  try {
    await withRetries(
      (attempt) => {
        attempts = attempt;
        return postOnce(opts.fetch, url, json, opts.timeoutMs, hit.hitId, target.measurementId, label, opts.now);
      },
      {
        maxAttempts: opts.maxAttempts,
        baseDelayMs: opts.baseDelayMs,
        maxDelayMs: opts.maxDelayMs,
        isRetryable: (error) => error instanceof GaForwardAttemptError,
        retryAfterMs: (error) => (error instanceof GaForwardAttemptError ? error.retryAfterMs : undefined),
        onRetry: (error) => recordAttempt(ports, pendingIds, (error as Error).message, opts.now()),
        sleep: opts.sleep,
        random: opts.random,
      },
    );
  } catch (error) {
    if (error instanceof GaForwardRejectedError) {
      await recordAttempt(ports, pendingIds, error.message, opts.now());
      return { outcome: "rejected", sentEvents: 0, attempts, rejection: error };
    }
    if (error instanceof GaForwardAttemptError) {
      await recordAttempt(ports, pendingIds, error.message, opts.now());
      throw new GaForwardRetryableError(hit.hitId, target.measurementId, attempts, { cause: error });
    }
    throw error;
  }
  await markSent(ports, pendingIds, opts.now());
  return { outcome: "sent", sentEvents: pendingIds.length, attempts };
}

/** Where a hit goes and what it carries; undefined when there is nothing to send (UA without a GA4 mapping). */
function forwardTarget(hit: GaHit, uaForwardTo: string | undefined): ForwardTarget | undefined {
  if (hit.protocol === "ua") {
    if (!hit.mappedGa4 || !uaForwardTo) return undefined;
    const { events, ...envelope } = hit.mappedGa4;
    if (!Array.isArray(events) || events.length === 0) throw new GaForwardPayloadError(hit.hitId, "its GA4 mapping has no events array");
    // A UA hit is one event of ours, whatever number of GA4 events it maps to: they are sent (and settled) together.
    return { measurementId: uaForwardTo, envelope, units: [{ eventIds: hit.events.map((event) => event.eventId), events }] };
  }
  const { events, ...envelope } = hit.payload;
  if (!Array.isArray(events)) throw new GaForwardPayloadError(hit.hitId, "its payload has no events array");
  if (events.length !== hit.events.length) {
    throw new GaForwardPayloadError(hit.hitId, `its payload has ${events.length} events but ${hit.events.length} event ids`);
  }
  return { measurementId: hit.measurementId, envelope, units: hit.events.map((event, i) => ({ eventIds: [event.eventId], events: [events[i]] })) };
}

/** The request body: the stored envelope, the pending events in their original order, and where the user was. */
function requestJson(hit: GaHit, target: ForwardTarget, pending: ForwardUnit[]): string {
  const body: Record<string, unknown> = { ...target.envelope, events: pending.flatMap((unit) => unit.events) };
  // Without ip_override Google geolocates every user to our data centre.
  if (hit.sourceIp && body.ip_override === undefined) body.ip_override = hit.sourceIp;
  // `user_agent` (top level, documented since June 2025) lets Google derive device and browser; it exists for
  // web (gtag) streams only, so app streams (`app_instance_id`) do not get it.
  if (hit.userAgent && body.user_agent === undefined && body.app_instance_id === undefined) body.user_agent = hit.userAgent;
  const events = body.events as unknown[];
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new GaForwardPayloadError(hit.hitId, `${events.length} events exceed the Measurement Protocol's ${MAX_EVENTS_PER_REQUEST} per request`);
  }
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes >= MAX_BODY_BYTES) throw new GaForwardPayloadError(hit.hitId, `its body is ${bytes} bytes; the Measurement Protocol takes under ${MAX_BODY_BYTES}`);
  return json;
}

/** One POST. Resolves on 2xx; throws GaForwardAttemptError when worth retrying, GaForwardRejectedError otherwise. */
async function postOnce(
  fetchImpl: typeof fetch,
  url: URL,
  json: string,
  timeoutMs: number,
  hitId: string,
  measurementId: string,
  label: string,
  now: () => Date,
): Promise<void> {
  let status: number;
  let retryAfter: string | null;
  let excerpt: string;
  try {
    // `redirect: "manual"`: following a redirect would carry the api_secret to wherever it points.
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: json,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    retryAfter = response.headers.get("retry-after");
    excerpt = await readExcerpt(response);
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : networkReason(error);
    throw new GaForwardAttemptError(`ga: sending ${label} failed: ${reason}`, undefined, undefined, { cause: error });
  }
  if (status >= 200 && status < 300) return;
  if (status === 429 || status >= 500) {
    // Retry-After is honoured on 429 and 503, the two statuses that define it as "come back later".
    const wait = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now()) : undefined;
    throw new GaForwardAttemptError(`ga: Google answered HTTP ${status} to ${label}`, status, wait);
  }
  throw new GaForwardRejectedError(hitId, measurementId, status, excerpt);
}

/** The first characters of an answer, read without buffering an unbounded body; drains the connection for reuse. */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (text.length < EXCERPT_CHARS) {
    const { done, value } = await reader.read();
    if (done) return text.trim();
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text.slice(0, EXCERPT_CHARS).trim();
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${(error as Error).message} (${detail})` : String((error as Error)?.message ?? error);
}

function receivedAtMs(hit: GaHit): number {
  const at = Date.parse(hit.receivedAt);
  if (Number.isNaN(at)) throw new GaForwardPayloadError(hit.hitId, `receivedAt ${JSON.stringify(hit.receivedAt)} is not an ISO 8601 time`);
  return at;
}

async function recordAttempt(ports: ForwardStatusPorts, eventIds: string[], error: string, at: Date): Promise<void> {
  await Promise.all(eventIds.map((eventId) => markAttempt(ports, eventId, error, at)));
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
