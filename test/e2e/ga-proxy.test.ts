/**
 * The GA proxy as a sender meets it, with a fake Google on loopback: hits are answered at once, land in bronze
 * `ga_events` (one row per event), and reach Google exactly once per event — also when Google answers 503 for a
 * stretch or is slow. Emails never leave for Google nor land in bronze.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeGoogle } from "../support/fake-google";
import type { TestPlatform } from "../support/platform";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";

const ga4 = (tag: string, events: number, extra: Record<string, unknown> = {}) => ({
  client_id: "555.777",
  user_id: "42",
  events: Array.from({ length: events }, (_, i) => ({
    name: "page_view",
    params: { page_location: `https://shop.example.com/kits/${i}`, session_id: "9001", engagement_time_msec: 120, test_tag: `${tag}-${i}` },
  })),
  ...extra,
});

describe("GA proxy and forwarder", () => {
  let env: PlatformWithGoogle;
  let google: FakeGoogle;
  let platform: TestPlatform;
  let collect: string;
  beforeAll(async () => {
    env = await startPlatformWithGoogle();
    ({ google, platform } = env);
    const { gaMeasurementId, gaApiSecret } = platform.credentials;
    collect = `/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`;
  });
  afterAll(async () => env?.dispose());
  beforeEach(() => google.healthy());

  const forwardedTags = (prefix: string) =>
    google
      .processedEvents()
      .map((e) => String(e.params?.test_tag ?? ""))
      .filter((t) => t.startsWith(prefix));

  async function waitForForwarded(prefix: string, expected: number, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && forwardedTags(prefix).length < expected) await new Promise((r) => setTimeout(r, 100));
    return forwardedTags(prefix);
  }

  it("answers 204, lands every event in bronze and forwards each once (Google healthy)", async () => {
    // Act
    const answers = await Promise.all([platform.post(collect, ga4("h1", 3)), platform.post(collect, ga4("h2", 2))]);
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.ga_events WHERE event_params LIKE '%\"test_tag\":\"h%'", 5);
    const forwarded = await waitForForwarded("h", 5);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect(landed).toBe(5);
    expect(forwarded.sort()).toEqual(["h1-0", "h1-1", "h1-2", "h2-0", "h2-1"]);
    const [row] = await platform.query("SELECT protocol, client_id, user_id, session_id, event_name, is_bot, _source_ip FROM bronze.ga_events WHERE event_params LIKE '%h1-0%'");
    expect(row).toEqual({ protocol: "ga4", client_id: "555.777", user_id: "42", session_id: "9001", event_name: "page_view", is_bot: false, _source_ip: "127.0.0.0" });
    const sent = google.requests.find((r) => JSON.stringify(r.body).includes("h1-0"))!;
    expect(sent.body).toMatchObject({ client_id: "555.777", ip_override: "127.0.0.0", timestamp_micros: expect.any(Number) });
  });

  it("loses nothing and sends nothing twice while Google answers 503 for a stretch", async () => {
    // Prepare: the next two requests fail; the forwarder's jittered retries ride it out
    google.failWith(503, { times: 2 });

    // Act
    const answer = await platform.post(collect, ga4("s503", 4));
    const forwarded = await waitForForwarded("s503", 4);
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive now

    // Assess
    expect(answer.status).toBe(204);
    expect(forwardedTags("s503").sort()).toEqual(["s503-0", "s503-1", "s503-2", "s503-3"]);
    expect(forwarded).toHaveLength(4);
    expect(google.requests.filter((r) => JSON.stringify(r.body).includes("s503")).map((r) => r.answer)).toEqual([503, 503, 204]);
  });

  it("answers the sender at once even when Google is slow, and forwards once", async () => {
    // Prepare
    google.slow(1500, { times: 1 });

    // Act
    const started = Date.now();
    const answer = await platform.post(collect, ga4("slow", 1));
    const answeredIn = Date.now() - started;
    const forwarded = await waitForForwarded("slow", 1);
    await new Promise((r) => setTimeout(r, 300));

    // Assess: the answer did not wait for Google (it is queued first); generous bound, not a timing benchmark
    expect(answer.status).toBe(204);
    expect(answeredIn).toBeLessThan(1500);
    expect(forwarded).toEqual(["slow-0"]);
    expect(forwardedTags("slow")).toHaveLength(1);
  });

  it("strips emails before anything leaves for Google or lands in bronze, and never forwards an email as user_id", async () => {
    // Act
    await platform.post(
      collect,
      ga4("pii", 1, { user_id: "ann@example.com", events: [{ name: "login", params: { page_location: "https://shop.example.com/?email=ann%40example.com", test_tag: "pii-0" } }] }),
    );
    await waitForForwarded("pii", 1);
    await platform.waitForCount("SELECT count(*) FROM bronze.ga_events WHERE event_params LIKE '%pii-0%'", 1);

    // Assess
    const sent = JSON.stringify(google.requests.filter((r) => JSON.stringify(r.body).includes("pii-0")).map((r) => r.body));
    const landed = JSON.stringify(await platform.query("SELECT * FROM bronze.ga_events WHERE event_params LIKE '%pii-0%'"));
    for (const text of [sent, landed]) {
      expect(text).not.toContain("ann@example.com");
      expect(text).not.toContain("ann%40example.com");
    }
    expect(sent).not.toContain('"user_id"');
  });

  it("keeps Universal Analytics hits raw and forwards the GA4 mapping", async () => {
    // Act
    const res = await fetch(`${platform.url}/collect?v=1&tid=UA-123456-1&cid=555.777&t=pageview&dl=${encodeURIComponent("https://shop.example.com/ua-page")}&dt=Kits`);
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.ga_events WHERE protocol = 'ua' AND page_location LIKE '%ua-page%'", 1);

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(landed).toBe(1);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !google.processedEvents().some((e) => String(e.params?.page_location ?? "").includes("ua-page"))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(google.processedEvents().filter((e) => String(e.params?.page_location ?? "").includes("ua-page"))).toEqual([
      expect.objectContaining({ name: "page_view" }),
    ]);
  });
});
