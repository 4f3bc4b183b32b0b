/**
 * Killing the platform mid-run (issue #9): `tributary dev` runs as a child process while clients keep sending
 * stream records and GA hits; it is SIGKILLed in the middle of that, restarted on the same TRIBUTARY_HOME, and
 * every record it answered 2xx for ends up in bronze. Delivery into bronze is at-least-once: a batch written but
 * not yet acknowledged when the process died is written again after the restart, under the same deterministic
 * `_record_id` — so each accepted record is in bronze exactly once per record id, and exactly once as a row in
 * silver, which dedupes by it.
 *
 * Messages the killed process had received are in flight: like SQS, the queue hands them out again only once
 * their visibility timeout (180 s for stream-records and ga-hits) has passed. The restart is made to happen that
 * much later by moving the clock (Date only; timers stay real), instead of waiting three minutes.
 */
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@tributary/core/config";
import { DEV_API_KEY, LOCAL_BUCKET, runMedallionLocally } from "@tributary/core/local";
import { wiring } from "@tributary/core/wiring";
import shipped from "../../tributary.config";
import { startFakeGoogle, type FakeGoogle } from "../support/fake-google";
import { startDevProcess } from "../support/dev-process";
import { makeHome, startTestPlatform, type TestPlatform } from "../support/platform";

const STREAM_CLIENTS = 6;
const GA_CLIENTS = 2;
const BATCH = 25;
/** The kill comes once this many records were accepted, while the clients are still sending. */
const KILL_AFTER_ACCEPTED = 500;
/** The longest visibility timeout of the queues between the edge and bronze: what a restart waits for at most. */
const VISIBILITY_S = Math.max(
  ...wiring(parseConfig(shipped), { lakeBucket: LOCAL_BUCKET })
    .queues.filter((q) => q.name === "stream-records" || q.name === "ga-hits")
    .map((q) => q.visibilityTimeoutSeconds),
);


/** What the clients learned: ids answered 2xx, and requests that got no answer (in flight at the kill). */
interface Sent {
  acceptedRecords: string[];
  acceptedHits: string[];
  unanswered: number;
}

/** Clients sending until the platform stops answering; `onAccepted` sees the running total of accepted records. */
async function sendUntilKilled(url: string, onAccepted: (n: number) => void): Promise<Sent> {
  const sent: Sent = { acceptedRecords: [], acceptedHits: [], unanswered: 0 };
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": DEV_API_KEY }, body: JSON.stringify(body) });
  const streamClient = async (client: number) => {
    for (let n = 0; ; n += 1) {
      const records = Array.from({ length: BATCH }, (_, k) => ({ request_id: `crash-${client}-${n}-${k}`, request_timestamp: new Date().toISOString(), topic: "crash" }));
      const res = await post("/v1/streams/user_events/records", { records }).catch(() => undefined);
      if (!res) return void (sent.unanswered += 1);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { index: number; status: string }[] };
      for (const r of body.results) if (r.status === "accepted") sent.acceptedRecords.push(records[r.index]!.request_id);
      onAccepted(sent.acceptedRecords.length);
    }
  };
  const gaClient = async (client: number) => {
    for (let n = 0; ; n += 1) {
      const clientId = `crash.${client}.${n}`;
      const hit = { client_id: clientId, events: [{ name: "page_view", params: { session_id: "1" } }, { name: "scroll", params: { session_id: "1" } }] };
      const res = await post("/mp/collect?measurement_id=G-TRIBUTARY1&api_secret=tributary-local-ga-secret", hit).catch(() => undefined);
      if (!res) return void (sent.unanswered += 1);
      expect(res.status).toBe(204);
      sent.acceptedHits.push(clientId);
    }
  };
  await Promise.all([...Array.from({ length: STREAM_CLIENTS }, (_, c) => streamClient(c)), ...Array.from({ length: GA_CLIENTS }, (_, c) => gaClient(c))]);
  return sent;
}

describe("pipeline crash", () => {
  let home: string | undefined;
  let google: FakeGoogle | undefined;
  let platform: TestPlatform | undefined;
  afterAll(async () => {
    await platform?.dispose();
    vi.useRealTimers();
    await google?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("lands every record answered 2xx once per record id after a SIGKILL mid-run, and once in silver", async () => {
    // Prepare
    home = await makeHome();
    google = await startFakeGoogle();
    const { child, url } = await startDevProcess(home, { TRIBUTARY_GA_ENDPOINT: google.endpoint });
    const exited = new Promise((resolve) => child.once("exit", resolve));

    // Act: clients send until the kill cuts them off; then a restart on the same home
    const sent = await sendUntilKilled(url, (accepted) => {
      if (accepted >= KILL_AFTER_ACCEPTED && child.exitCode === null && !child.killed) child.kill("SIGKILL");
    });
    await exited;
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + (VISIBILITY_S + 5) * 1000);
    platform = await startTestPlatform({ home, settings: { gaEndpoint: google.endpoint } });
    const accepted = new Set(sent.acceptedRecords);
    const deadline = Date.now() + 30_000;
    let inBronze = new Set<string>();
    let eventsOf = new Map<string, number>();
    const landed = () => [...accepted].every((id) => inBronze.has(id)) && sent.acceptedHits.every((id) => eventsOf.get(id) === 2);
    while (Date.now() < deadline && !landed()) {
      await new Promise((r) => setTimeout(r, 300));
      inBronze = new Set((await platform.query("SELECT DISTINCT request_id FROM bronze.user_events WHERE starts_with(request_id, 'crash-')")).map((r) => String(r.request_id)));
      const hits = await platform.query("SELECT client_id, count(DISTINCT _record_id) AS events FROM bronze.ga_events WHERE starts_with(client_id, 'crash.') GROUP BY client_id");
      eventsOf = new Map(hits.map((h) => [String(h.client_id), Number(h.events)]));
    }
    const [identity] = await platform.query(
      "SELECT count(*) FILTER (WHERE _record_id <> 'user_events:' || request_id) AS foreign_ids, count(DISTINCT _record_id) - count(DISTINCT request_id) AS split FROM bronze.user_events WHERE starts_with(request_id, 'crash-')",
    );
    const run = await runMedallionLocally(platform.ports);
    const [silver] = await platform.query("SELECT count(*) AS rows, count(DISTINCT request_id) AS ids FROM silver.user_events WHERE starts_with(request_id, 'crash-')");
    const silverIds = new Set((await platform.query("SELECT request_id FROM silver.user_events WHERE starts_with(request_id, 'crash-')")).map((r) => String(r.request_id)));

    // Assess: the kill came mid-run, with requests in flight
    expect(sent.acceptedRecords.length).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);
    expect(sent.unanswered).toBeGreaterThan(0);
    // every accepted record in bronze, each under its one deterministic record id
    expect([...accepted].filter((id) => !inBronze.has(id))).toEqual([]);
    expect(identity).toMatchObject({ foreign_ids: "0", split: "0" });
    // every accepted GA hit's two events
    expect(sent.acceptedHits.filter((id) => eventsOf.get(id) !== 2)).toEqual([]);
    // silver: one row per record, the accepted ones included
    expect(run.status).toBe("SUCCEEDED");
    expect(Number(silver!.rows)).toBe(Number(silver!.ids));
    expect([...accepted].filter((id) => !silverIds.has(id))).toEqual([]);
  }, 90_000);
});
