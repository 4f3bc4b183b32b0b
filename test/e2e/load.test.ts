/**
 * A bounded load test on loopback: N stream records sent by concurrent clients (singles and batches) and M GA
 * hits → exactly N rows and M×events rows in bronze; 0 lost, 0 duplicated. Bounded in count and time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPlatform } from "../support/platform";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";

const RECORDS = 3000;
const HITS = 300;
const CONCURRENCY = 16;

describe("load", () => {
  let env: PlatformWithGoogle;
  let platform: TestPlatform;
  beforeAll(async () => {
    env = await startPlatformWithGoogle();
    ({ platform } = env);
  });
  afterAll(async () => env?.dispose());

  it(`${RECORDS} stream records and ${HITS} GA hits land exactly once`, async () => {
    // Prepare: work items of 1 record (every 4th) or batches of 25
    const items: unknown[][] = [];
    for (let i = 0; i < RECORDS; ) {
      const size = items.length % 4 === 0 ? 1 : Math.min(25, RECORDS - i);
      items.push(Array.from({ length: size }, (_, k) => ({ request_id: `load-${i + k}`, request_timestamp: "2026-11-20T10:00:00Z", topic: "load" })));
      i += size;
    }
    const { gaMeasurementId, gaApiSecret } = platform.credentials;

    // Act: CONCURRENCY clients drain the work list, then the GA hits
    let accepted = 0;
    const queue = [...items];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let item = queue.shift(); item; item = queue.shift()) {
          const answer = await platform.post("/v1/streams/user_events/records", item.length === 1 ? item[0] : { records: item });
          accepted += item.length === 1 ? (answer.status === 202 ? 1 : 0) : answer.body.accepted;
        }
      }),
    );
    const hitAnswers = await Promise.all(
      Array.from({ length: HITS }, (_, i) =>
        platform.post(`/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`, {
          client_id: `c.${i}`,
          events: [{ name: "page_view", params: { load_tag: `load-${i}-a` } }, { name: "scroll", params: { load_tag: `load-${i}-b` } }],
        }),
      ),
    );
    const rows = await platform.waitForCount("SELECT count(*) FROM bronze.user_events WHERE topic = 'load'", RECORDS, 60_000);
    const gaRows = await platform.waitForCount("SELECT count(*) FROM bronze.ga_events WHERE event_params LIKE '%load_tag%'", HITS * 2, 60_000);

    // Assess
    expect(accepted).toBe(RECORDS);
    expect(hitAnswers.every((a) => a.status === 204)).toBe(true);
    expect(rows).toBe(RECORDS);
    const [distinct] = await platform.query("SELECT count(DISTINCT request_id) AS n FROM bronze.user_events WHERE topic = 'load'");
    expect(Number(distinct!.n)).toBe(RECORDS);
    expect(gaRows).toBe(HITS * 2);
    const [gaDistinct] = await platform.query("SELECT count(DISTINCT event_id) AS n FROM bronze.ga_events");
    expect(Number(gaDistinct!.n)).toBe(HITS * 2);
  }, 120_000);
});
