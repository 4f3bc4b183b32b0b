/**
 * forwardHit against a fake Google (loopback HTTP) and dynalite: every event reaches Google once, whatever
 * Google does in between — except the documented case of a request Google processed but we timed out on.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forwardHit, type ForwardOptions } from "../../packages/core/src/ga/forward";
import {
  GaApiSecretMissingError,
  GaForwardPayloadError,
  GaForwardRejectedError,
  GaForwardRetryableError,
} from "../../packages/core/src/ga/forward-errors";
import { forwardStatusOf, markSent, type ForwardStatusPorts } from "../../packages/core/src/ga/forward-status";
import type { GaHit } from "../../packages/core/src/ga/hit";
import { startLocalDynamo, type LocalDynamo } from "../../packages/core/src/local/dynamo";
import { startFakeGoogle, type FakeGoogle } from "../support/fake-google";

const MEASUREMENT_ID = "G-TEST1234";
const UA_TARGET = "G-FROMUA99";
const SECRET = "s3cr3t-value";
const HOUR = 3_600_000;

/** A GA4 hit whose events carry a unique `page_location`, so the fake's log can be counted per event. */
function ga4Hit(options: { events?: number; receivedAt?: Date; measurementId?: string } = {}): GaHit {
  const hitId = randomUUID();
  const keys = Array.from({ length: options.events ?? 3 }, (_, i) => `https://example.com/${hitId}/${i}`);
  return {
    v: 1,
    hitId,
    protocol: "ga4",
    measurementId: options.measurementId ?? MEASUREMENT_ID,
    receivedAt: (options.receivedAt ?? new Date()).toISOString().replace("Z", "123Z"),
    sourceIp: "203.0.113.0",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    isBot: false,
    consent: { ad_user_data: "GRANTED" },
    payload: {
      client_id: "123.456",
      consent: { ad_user_data: "GRANTED" },
      events: keys.map((page_location) => ({ name: "page_view", params: { page_location, session_id: "77", engagement_time_msec: 1 } })),
    },
    events: keys.map(() => ({ eventId: randomUUID(), name: "page_view" })),
    mappedGa4: null,
  };
}

function uaHit(mapped: boolean): GaHit {
  const hitId = randomUUID();
  return {
    v: 1,
    hitId,
    protocol: "ua",
    measurementId: "UA-12345-1",
    receivedAt: new Date().toISOString(),
    sourceIp: "198.51.100.0",
    userAgent: null,
    isBot: false,
    consent: null,
    payload: { v: "1", tid: "UA-12345-1", t: "pageview", cid: "555.1", dp: `/ua/${hitId}` },
    events: [{ eventId: randomUUID(), name: "pageview" }],
    mappedGa4: mapped ? { client_id: "555.1", events: [{ name: "page_view", params: { page_location: `https://example.com/ua/${hitId}` } }] } : null,
  };
}

/** How many times Google processed each of the hit's events. */
function processedCounts(google: FakeGoogle, hits: GaHit[]): number[] {
  const seen = google.processedEvents().map((event) => event.params?.page_location);
  return hits.flatMap((hit) =>
    ((hit.payload.events ?? hit.mappedGa4?.events) as { params: { page_location: string } }[]).map(
      (event) => seen.filter((location) => location === event.params.page_location).length,
    ),
  );
}

describe("forwardHit", () => {
  let dynamo: LocalDynamo;
  let google: FakeGoogle;
  let ports: ForwardStatusPorts;
  let options: ForwardOptions;
  beforeAll(async () => {
    [dynamo, google] = await Promise.all([startLocalDynamo({ tables: [{ name: "ga_forward_status", partitionKey: "pk" }] }), startFakeGoogle()]);
    ports = { dynamo: dynamo.doc, tableName: (table) => table };
  });
  afterAll(async () => Promise.all([dynamo?.stop(), google?.stop()]));
  beforeEach(() => {
    google.healthy();
    google.clear();
    options = {
      endpoint: google.endpoint,
      apiSecretFor: async (id) => (id === MEASUREMENT_ID || id === UA_TARGET ? SECRET : undefined),
      uaForwardTo: UA_TARGET,
      timeoutMs: 2_000,
      baseDelayMs: 5,
      maxDelayMs: 20,
    };
  });

  it("sends a hit to a healthy Google once, with the client's IP and user agent and without our event ids", async () => {
    // Prepare
    const hit = ga4Hit();

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    expect(result).toEqual({ outcome: "sent", sentEvents: 3, attempts: 1 });
    expect(google.requests).toHaveLength(1);
    const [request] = google.requests;
    expect(request!.path).toBe("/mp/collect");
    expect(request!.query).toEqual({ measurement_id: MEASUREMENT_ID, api_secret: SECRET });
    expect(request!.body).toEqual({ ...hit.payload, ip_override: "203.0.113.0", user_agent: hit.userAgent });
    expect(JSON.stringify(request!.body)).not.toContain(hit.events[0]!.eventId);
    for (const { eventId } of hit.events) expect(await forwardStatusOf(ports, eventId)).toMatchObject({ status: "sent", attempts: 0 });
  });

  it("forwards every event exactly once when Google answers 503 for a stretch and then recovers", async () => {
    // Prepare: six 503s — the first hit exhausts its 4 attempts, the second gets through on its third
    const hits = [ga4Hit(), ga4Hit({ events: 5 }), ga4Hit({ events: 1 })];
    google.failWith(503, { times: 6 });

    // Act: the first delivery of each hit, then SQS redelivering everything (at-least-once)
    const first = [];
    for (const hit of hits) first.push(await forwardHit(ports, hit, options).catch((error: Error) => error));
    const redelivered = [];
    for (const hit of hits) redelivered.push(await forwardHit(ports, hit, options));
    for (const hit of hits) redelivered.push(await forwardHit(ports, hit, options));

    // Assess
    const [failure, ...rest] = first;
    expect(failure).toBeInstanceOf(GaForwardRetryableError);
    expect(failure).toMatchObject({ attempts: 4, permanent: false, message: expect.stringMatching(/HTTP 503/) });
    expect(`${(failure as Error).message} ${((failure as Error).cause as Error).message}`).not.toContain(SECRET);
    expect(rest).toEqual([
      { outcome: "sent", sentEvents: 5, attempts: 3 },
      { outcome: "sent", sentEvents: 1, attempts: 1 },
    ]);
    expect(redelivered.map((r) => r.outcome)).toEqual(["sent", "already-sent", "already-sent", "already-sent", "already-sent", "already-sent"]);
    expect(processedCounts(google, hits)).toEqual(Array(9).fill(1));
    expect(redelivered.map((r) => r.outcome).slice(3)).toEqual(["already-sent", "already-sent", "already-sent"]);
    expect(google.requests.filter((r) => r.answer === 503)).toHaveLength(6);
  });

  it("records failed attempts on the events of a hit that could not get through", async () => {
    // Prepare
    const hit = ga4Hit({ events: 2 });
    google.failWith(500);

    // Act
    const attempt = forwardHit(ports, hit, { ...options, maxAttempts: 3 });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(GaForwardRetryableError);
    expect(await forwardStatusOf(ports, hit.events[0]!.eventId)).toMatchObject({ status: "pending", attempts: 3, lastError: expect.stringMatching(/HTTP 500/) });
  });

  it("sends once when Google is slow but answers within the timeout", async () => {
    // Prepare
    const hit = ga4Hit();
    google.slow(50);

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    expect(result).toEqual({ outcome: "sent", sentEvents: 3, attempts: 1 });
    expect(processedCounts(google, [hit])).toEqual([1, 1, 1]);
  });

  it("retries when Google answers after the timeout — and Google may then hold the events twice (the documented duplicate risk)", async () => {
    // Prepare: the first request is processed by Google, but its answer comes after our timeout
    const hit = ga4Hit();
    google.slow(600, { times: 1 });

    // Act
    const result = await forwardHit(ports, hit, { ...options, timeoutMs: 150 });

    // Assess: we saw a failure and retried; Google counted both. The Measurement Protocol has no dedupe key, so
    // the only mitigation is a timeout well above Google's latency (the default is 10 s).
    expect(result).toEqual({ outcome: "sent", sentEvents: 3, attempts: 2 });
    expect(processedCounts(google, [hit])).toEqual([2, 2, 2]);
  });

  it("retries after connection resets", async () => {
    // Prepare
    const hit = ga4Hit();
    google.resetConnections({ times: 2 });

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    expect(result).toEqual({ outcome: "sent", sentEvents: 3, attempts: 3 });
    expect(processedCounts(google, [hit])).toEqual([1, 1, 1]);
  });

  it("honours Retry-After on 429, capped at maxDelayMs", async () => {
    // Prepare
    const hits = [ga4Hit(), ga4Hit()];
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);

    // Act
    google.failWith(429, { times: 1, retryAfter: "1" });
    const honoured = await forwardHit(ports, hits[0]!, { ...options, maxDelayMs: 5_000, sleep });
    google.failWith(429, { times: 1, retryAfter: "120" });
    const capped = await forwardHit(ports, hits[1]!, { ...options, maxDelayMs: 2_000, sleep });

    // Assess
    expect([honoured.attempts, capped.attempts]).toEqual([2, 2]);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(processedCounts(google, hits)).toEqual(Array(6).fill(1));
  });

  it("does not retry a hit Google rejects with 400, and records why", async () => {
    // Prepare
    const hit = ga4Hit();
    google.failWith(400, { times: 1 });

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    expect(result).toMatchObject({ outcome: "rejected", sentEvents: 0, attempts: 1 });
    const rejection = (result as { rejection: GaForwardRejectedError }).rejection;
    expect(rejection).toBeInstanceOf(GaForwardRejectedError);
    expect(rejection).toMatchObject({ status: 400, permanent: true, measurementId: MEASUREMENT_ID });
    expect(rejection.message).not.toContain(SECRET);
    expect(google.requests).toHaveLength(1);
    expect(await forwardStatusOf(ports, hit.events[0]!.eventId)).toMatchObject({ status: "pending", lastError: expect.stringMatching(/HTTP 400/) });
  });

  it("sends nothing for a redelivered hit whose events were all sent", async () => {
    // Prepare
    const hit = ga4Hit();
    await forwardHit(ports, hit, options);
    google.clear();

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    expect(result).toEqual({ outcome: "already-sent", sentEvents: 0, attempts: 0 });
    expect(google.requests).toHaveLength(0);
  });

  it("sends only the events not sent yet, in their original order", async () => {
    // Prepare: events 0 and 2 of 4 already reached Google
    const hit = ga4Hit({ events: 4 });
    await markSent(ports, [hit.events[0]!.eventId, hit.events[2]!.eventId], new Date());

    // Act
    const result = await forwardHit(ports, hit, options);

    // Assess
    const events = hit.payload.events as unknown[];
    expect(result).toEqual({ outcome: "sent", sentEvents: 2, attempts: 1 });
    expect((google.requests[0]!.body as { events: unknown[] }).events).toEqual([events[1], events[3]]);
  });

  it("expires a hit received more than 72 hours ago and sends nothing", async () => {
    // Prepare
    const stale = ga4Hit({ receivedAt: new Date(Date.now() - 73 * HOUR) });
    const old = ga4Hit({ receivedAt: new Date(Date.now() - 71 * HOUR) });

    // Act
    const expired = await forwardHit(ports, stale, options);
    const sent = await forwardHit(ports, old, options);

    // Assess
    expect(expired).toEqual({ outcome: "expired", sentEvents: 0, attempts: 0 });
    expect(sent.outcome).toBe("sent");
    expect(processedCounts(google, [stale, old])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(await forwardStatusOf(ports, stale.events[1]!.eventId)).toMatchObject({ status: "expired" });
  });

  it("fails clearly, naming the measurement id, when no API secret is configured", async () => {
    // Prepare
    const hit = ga4Hit({ measurementId: "G-NOSECRET" });

    // Act
    const attempt = forwardHit(ports, hit, options);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(GaApiSecretMissingError);
    await expect(attempt).rejects.toMatchObject({ permanent: true, message: expect.stringContaining("G-NOSECRET") });
    expect(google.requests).toHaveLength(0);
  });

  it("forwards a UA hit's GA4 mapping to uaForwardTo, and keeps unmapped UA hits raw", async () => {
    // Prepare
    const mapped = uaHit(true);
    const unmapped = uaHit(false);

    // Act
    const results = [
      await forwardHit(ports, mapped, options),
      await forwardHit(ports, unmapped, options),
      await forwardHit(ports, uaHit(true), { ...options, uaForwardTo: undefined }),
      await forwardHit(ports, mapped, options),
    ];

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(["sent", "kept-raw", "kept-raw", "already-sent"]);
    expect(google.requests).toHaveLength(1);
    expect(google.requests[0]!.query.measurement_id).toBe(UA_TARGET);
    expect(google.requests[0]!.body).toEqual({ ...mapped.mappedGa4, ip_override: "198.51.100.0" });
  });

  it("refuses a hit that breaks the proxy's invariants instead of sending part of it", async () => {
    // Prepare
    const mismatched = ga4Hit({ events: 2 });
    mismatched.events.pop();
    const oversized = ga4Hit({ events: 25 });
    for (const event of oversized.payload.events as { params: Record<string, unknown> }[]) event.params.blob = "x".repeat(6_000);

    // Act
    const attempts = [forwardHit(ports, mismatched, options), forwardHit(ports, oversized, options)];

    // Assess
    await expect(attempts[0]).rejects.toThrow(GaForwardPayloadError);
    await expect(attempts[1]).rejects.toThrow(/bytes/);
    expect(google.requests).toHaveLength(0);
  });
});
