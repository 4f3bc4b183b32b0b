/**
 * Linking and the real-time report as a user meets them locally: a customer's orders (SQL Server CDC), web visits
 * (GA hits before and after login, a stream record) and lab results (a partner file) meet in one entity, and
 * `GET /v1/reports/customers/{id}` answers with all of it. Late links, replays and bad requests included.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed } from "@tributary/core/config";
import { datasetPrefix } from "@tributary/core/lake";
import { linkAnnouncement, linkContext } from "@tributary/core/link";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const CUSTOMER = "9001";
const KIT = "KIT-E2E-0001";
const CLIENT = "555.1001";

describe("report slice", () => {
  let platform: TestPlatform;
  const getReport = async (path: string, apiKey: string | null = platform.credentials.apiKey) => {
    const res = await fetch(`${platform.url}${path}`, { headers: apiKey ? { "x-api-key": apiKey } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Polls the report until `ready` holds (the pipeline is asynchronous), failing with the last answer. */
  const waitForReport = async (ready: (body: any) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: { status: number; body: any } | undefined;
    while (Date.now() < deadline) {
      last = await getReport(`/v1/reports/customers/${CUSTOMER}`);
      if (last.status === 200 && ready(last.body)) return last.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`report never got ready; last answer ${JSON.stringify(last)}`);
  };
  const collect = (body: unknown) =>
    fetch(`${platform.url}/mp/collect?measurement_id=${platform.credentials.gaMeasurementId}&api_secret=${platform.credentials.gaApiSecret}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => platform?.dispose());

  it("links a customer's orders, web visits and lab results from three sources into one live report", async () => {
    // Prepare: an anonymous visit first (GA client only), from a newsletter link.
    const anonymous = await collect({ client_id: CLIENT, events: [{ name: "page_view", params: { session_id: "s1", page_location: "https://shop.example.com/kits?utm_source=newsletter" } }] });
    expect(anonymous.status).toBeLessThan(300);
    await waitForAnonymousVisit(platform);

    // Act: the backend gets the customer and two orders; the visitor logs in (user_id = customer id); a stream
    // record and a partner file about the same customer and kit arrive.
    const source = (await platform.changeSources.embedded("backend"))!;
    await source.db.query(`INSERT INTO "dbo"."customers" (customer_id, email, full_name, date_of_birth, country, created_at) VALUES (${CUSTOMER}, 'Ann@Example.com', 'Ann Example', '1980-02-03', 'NL', now())`);
    await source.db.query(
      `INSERT INTO "dbo"."orders" (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at) VALUES (990001, ${CUSTOMER}, '${KIT}', 'P-001', 49.90, 'paid', now(), now()), (990002, ${CUSTOMER}, NULL, 'P-002', 10.05, 'cancelled', now(), now())`,
    );
    await platform.runSchedule("cdc-poll-backend");
    const login = await collect({ client_id: CLIENT, user_id: CUSTOMER, events: [{ name: "login", params: { session_id: "s2", page_location: "https://shop.example.com/account" } }] });
    expect(login.status).toBeLessThan(300);
    const stream = await platform.post("/v1/streams/user_events/records", {
      request_id: "e2e-req-1",
      request_timestamp: new Date().toISOString(),
      cookie_id: "cookie-e2e",
      topic: "kit_activated",
      user_account_id: CUSTOMER,
      location: "https://shop.example.com/activate",
    });
    expect(stream.status).toBe(202);
    const csv = `kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id\r\n${KIT.toLowerCase()},VITD,42.5,normal,2026-11-01T08:00:00Z,2026-11-02T16:30:00Z,lab-7\r\n`;
    await platform.ports.lake.put("landing/lab_results/e2e-report.csv.gz", gzipSync(Buffer.from(csv)));

    // Assess
    const report = await waitForReport((r) => r.lab_results.ready === 1 && r.web.visitors === 2 && r.orders.count === 2);
    expect(report.customer_ids).toEqual([CUSTOMER]);
    expect(report.orders).toMatchObject({ count: 2, spend: "49.90", by_status: { paid: 1, cancelled: 1 } });
    expect(report.kits).toEqual([{ kit_barcode: KIT, status: "results_ready", order_id: "990001", results: 1 }]);
    // The visit made before login counts, and it is the first visit: its utm source is the report's.
    expect(report.web.first_visit.utm_source).toBe("newsletter");
    expect(report.web.sessions).toBe(2);
    // The GA client and the stream's cookie are two ga_client_id keys of the same person.
    expect(report.links.keys).toEqual({ customer_id: 1, ga_client_id: 2, kit_barcode: 1, email_hash: 1 });
    expect(report.links.merged_entities).toBeGreaterThan(0);
    expect(typeof report.as_of).toBe("string");
    expect(report.freshness_seconds).toBeGreaterThanOrEqual(0);
    // The link table holds the email only as a keyed hash.
    expect(JSON.stringify(report)).not.toMatch(/example\.com/i);

    const byEntity = await getReport(`/v1/reports/entities/${report.entity_id}`);
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.orders).toEqual(report.orders);
  }, 90_000);

  it("counts a replayed batch once: re-linking every bronze row leaves the report as it was", async () => {
    // Prepare
    const before = await waitForReport((r) => r.lab_results.ready === 1);
    const ctx = linkContext(platform.ports);

    // Act: every dataset's bronze, announced again as one batch (as a DLQ replay would).
    for (const name of ["customers", "orders", "lab_results", "ga_events", "user_events"]) {
      const dataset = datasetNamed(platform.config, name);
      const files: string[] = [];
      for await (const o of platform.ports.lake.list(datasetPrefix(dataset, "bronze"))) if (o.key.endsWith(".parquet")) files.push(o.key);
      const outcome = await linkAnnouncement(platform.ports, ctx, { dataset: name, source: dataset.source, batchId: "replay", files, landed: 0, quarantined: 0, linkKeysComplete: false, part: 0, records: [] });
      expect(outcome.merges).toBe(0);
    }

    // Assess
    const after = await waitForReport(() => true);
    const { as_of: _a, freshness_seconds: _f, ...stableBefore } = before;
    const { as_of: _b, freshness_seconds: _g, ...stableAfter } = after;
    expect(stableAfter).toEqual(stableBefore);
  }, 60_000);

  it("answers 404 for an unknown customer or entity, and 401 without a valid key", async () => {
    expect((await getReport("/v1/reports/customers/no-such-customer")).status).toBe(404);
    expect((await getReport("/v1/reports/entities/ent_00000000000000000000000000")).status).toBe(404);
    expect((await getReport("/v1/reports/entities/not-an-entity")).status).toBe(404);
    expect((await getReport(`/v1/reports/customers/${CUSTOMER}`, null)).status).toBe(401);
    expect((await getReport(`/v1/reports/customers/${CUSTOMER}`, "wrong-key-0123456789")).status).toBe(401);
  });
});

/** Waits until the anonymous GA hit has landed in bronze, so the login that follows is really later. */
async function waitForAnonymousVisit(platform: TestPlatform): Promise<void> {
  const n = await platform.waitForCount(`SELECT count(*) FROM bronze.ga_events WHERE client_id = '${CLIENT}'`, 1);
  expect(n).toBe(1);
}
