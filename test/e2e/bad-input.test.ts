/**
 * The bad-input corpus against the real endpoints: every case gets the right status and a clear reason,
 * nothing invalid lands in bronze, and the counts reconcile — accepted records = rows in bronze.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeGoogle } from "../support/fake-google";
import type { TestPlatform } from "../support/platform";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";

interface Case {
  name: string;
  path: string | ((p: TestPlatform) => string);
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  reason: RegExp;
}

const event = (id: string) => ({ request_id: id, request_timestamp: "2026-11-20T10:00:00Z", topic: "page_view" });
const ga = (p: TestPlatform, secret = p.credentials.gaApiSecret, mid = p.credentials.gaMeasurementId) => `/mp/collect?measurement_id=${mid}&api_secret=${secret}`;
const hit = (events: unknown[]) => ({ client_id: "1.2", events });

const CASES: Case[] = [
  { name: "stream: malformed JSON", path: "/v1/streams/user_events/records", body: '{"request_id": "x",', status: 400, reason: /not valid JSON/ },
  { name: "stream: wrong types", path: "/v1/streams/user_events/records", body: { request_id: 7, request_timestamp: true }, status: 400, reason: /request_timestamp: expected an ISO 8601 timestamp/ },
  { name: "stream: missing required field", path: "/v1/streams/user_events/records", body: { topic: "x" }, status: 400, reason: /request_id: required/ },
  { name: "stream: unknown field", path: "/v1/streams/user_events/records", body: { ...event("bad-u"), colour: "red" }, status: 400, reason: /colour: unknown field/ },
  { name: "stream: body not an object", path: "/v1/streams/user_events/records", body: [event("bad-a")], status: 400, reason: /must be a JSON object/ },
  { name: "stream: oversized body", path: "/v1/streams/user_events/records", body: { ...event("bad-big"), message: "x".repeat(1_100_000) }, status: 413, reason: /larger than/ },
  { name: "stream: too many records", path: "/v1/streams/user_events/records", body: { records: Array.from({ length: 501 }, (_, i) => event(`bad-m-${i}`)) }, status: 413, reason: /limit is 500/ },
  { name: "stream: malformed %-escape in the stream name", path: "/v1/streams/user%E0%A4%A/records", body: event("bad-e"), status: 400, reason: /malformed %-escape/ },
  { name: "stream: unknown stream", path: "/v1/streams/clickz/records", body: event("bad-s"), status: 404, reason: /no stream named "clickz"/ },
  { name: "stream: no API key", path: "/v1/streams/user_events/records", body: event("bad-k1"), headers: { "x-api-key": "" }, status: 401, reason: /missing x-api-key/ },
  { name: "stream: wrong API key", path: "/v1/streams/user_events/records", body: event("bad-k2"), headers: { "x-api-key": "guess-guess-guess-guess" }, status: 401, reason: /unknown API key/ },
  { name: "ga4: no credentials", path: "/mp/collect", body: hit([{ name: "page_view" }]), status: 401, reason: /measurement_id or wrong api_secret/ },
  { name: "ga4: wrong api_secret", path: (p) => ga(p, "wrong-secret"), body: hit([{ name: "page_view" }]), status: 401, reason: /wrong api_secret/ },
  { name: "ga4: unknown measurement id", path: (p) => ga(p, p.credentials.gaApiSecret, "G-NOTOURS"), body: hit([{ name: "page_view" }]), status: 401, reason: /unknown measurement_id/ },
  { name: "ga4: malformed JSON", path: (p) => ga(p), body: "{{", status: 400, reason: /not valid JSON/ },
  { name: "ga4: too many events", path: (p) => ga(p), body: hit(Array.from({ length: 26 }, () => ({ name: "page_view" }))), status: 400, reason: /events/ },
  { name: "ga4: reserved event name", path: (p) => ga(p), body: hit([{ name: "session_start" }]), status: 400, reason: /reserved/ },
  { name: "ga4: bad event name", path: (p) => ga(p), body: hit([{ name: "9lives" }]), status: 400, reason: /events\[0\]\.name/ },
  { name: "ga4: oversized param value", path: (p) => ga(p), body: hit([{ name: "page_view", params: { method: "m".repeat(101) } }]), status: 400, reason: /events\[0\]\.params\.method/ },
  { name: "ga4: too old", path: (p) => ga(p), body: { ...hit([{ name: "page_view" }]), timestamp_micros: (Date.now() - 73 * 3600_000) * 1000 }, status: 400, reason: /timestamp_micros/ },
  { name: "ga4: no client id", path: (p) => ga(p), body: { events: [{ name: "page_view" }] }, status: 400, reason: /client_id/ },
  { name: "ga4: oversized body", path: (p) => ga(p), body: hit([{ name: "page_view", params: { p: "x".repeat(140_000) } }]), status: 413, reason: /under 130000 bytes/ },
];

/** The answer as a person reads it: the error, then one `field: reason` line per problem. */
function explain(body: { error?: string; message?: string; problems?: { field?: string; path?: string; reason: string }[] }): string {
  return [body.error ?? body.message ?? "", ...(body.problems ?? []).map((p) => `${p.field ?? p.path}: ${p.reason}`)].join("\n");
}

describe("bad input", () => {
  let env: PlatformWithGoogle;
  let google: FakeGoogle;
  let platform: TestPlatform;
  beforeAll(async () => {
    env = await startPlatformWithGoogle();
    ({ google, platform } = env);
  });
  afterAll(async () => env?.dispose());

  it.each(CASES)("$name → $status", async (c) => {
    // Act
    const path = typeof c.path === "function" ? c.path(platform) : c.path;
    const answer = await platform.post(path, c.body, c.headers);

    // Assess
    expect(answer.status).toBe(c.status);
    expect(explain(answer.body)).toMatch(c.reason);
  });

  it("lands nothing invalid, and accepted records reconcile with bronze", async () => {
    // Prepare: a batch mixing valid and invalid records, after the corpus above
    const records = [event("ok-1"), { request_id: "bad-x" }, event("ok-2"), { ...event("bad-y"), request_timestamp: "noon" }];

    // Act
    const answer = await platform.post("/v1/streams/user_events/records", { records });
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.user_events WHERE request_id LIKE 'ok-%'", 2);
    await new Promise((r) => setTimeout(r, 1500)); // a stray invalid record would have landed by now

    // Assess
    expect(answer.body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(landed).toBe(answer.body.accepted);
    const [all] = await platform.query("SELECT count(*) AS n FROM bronze.user_events");
    expect(Number(all!.n)).toBe(2);
    const [gaRows] = await platform.query("SELECT count(*) AS n FROM bronze.ga_events");
    expect(Number(gaRows!.n)).toBe(0);
    expect(google.requests).toHaveLength(0);
  });
});
