/**
 * The foundation's vertical slice as a user meets it: HTTP request in → durable queue → bronze Parquet →
 * SQL answer; and a partner file dropped in landing/ → bronze + quarantine. Counts reconcile.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const event = (id: string, ts = "2026-11-20T10:15:00.123456Z") => ({
  request_id: id,
  request_timestamp: ts,
  cookie_id: "cid.1",
  topic: "page_view",
  message: { page: "/kits" },
  user_account_id: "42",
});

describe("stream records through the local platform", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => platform?.dispose());

  it("lands accepted records in bronze Parquet and answers per record", async () => {
    // Prepare
    const batch = { records: [event("a-1"), event("a-2", "2026-11-20T11:00:00Z"), { ...event("a-3"), request_timestamp: "not a time" }] };

    // Act
    const batchAnswer = await platform.post("/v1/streams/user_events/records", batch);
    const singleAnswer = await platform.post("/v1/streams/user_events/records", event("a-4"));
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.user_events WHERE request_id LIKE 'a-%'", 3);

    // Assess
    expect(batchAnswer.status).toBe(200);
    expect(batchAnswer.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(batchAnswer.body.results[2]).toMatchObject({ index: 2, status: "rejected", problems: [{ field: "request_timestamp" }] });
    expect(singleAnswer.status).toBe(202);
    expect(landed).toBe(3);
    const rows = await platform.query(
      "SELECT request_id, request_timestamp, dt, hour, _source, _record_id, _source_ip FROM bronze.user_events WHERE request_id LIKE 'a-%' ORDER BY request_id",
    );
    expect(rows.map((r) => r.request_id)).toEqual(["a-1", "a-2", "a-4"]);
    expect(rows[0]).toMatchObject({ dt: "2026-11-20", hour: 10, _source: "streams", _record_id: "user_events:a-1", _source_ip: "127.0.0.0" });
    expect(String(rows[0]!.request_timestamp)).toContain("10:15:00.123456");
    expect(rows[1]).toMatchObject({ hour: 11 });
  });

  it("rejects what it cannot accept with a clear status and reason", async () => {
    // Act
    const unknown = await platform.post("/v1/streams/nope/records", event("x"));
    const malformed = await platform.post("/v1/streams/user_events/records", "{not json");
    const invalid = await platform.post("/v1/streams/user_events/records", { request_id: "b-1", surprise: 1 });
    const tooMany = await platform.post("/v1/streams/user_events/records", { records: Array.from({ length: 501 }, (_, i) => event(`c-${i}`)) });
    const noKey = await platform.post("/v1/streams/user_events/records", event("d-1"), { "x-api-key": "" });
    const wrongKey = await platform.post("/v1/streams/user_events/records", event("d-2"), { "x-api-key": "not-the-key-at-all" });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('no stream named "nope"');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toContain("not valid JSON");
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(
      expect.arrayContaining([
        { field: "request_timestamp", reason: "required" },
        expect.objectContaining({ field: "surprise", reason: expect.stringContaining("unknown field") }),
      ]),
    );
    expect(tooMany.status).toBe(413);
    expect(noKey).toEqual({ status: 401, body: { error: "streams: missing x-api-key header" } });
    expect(wrongKey).toEqual({ status: 401, body: { error: "streams: unknown API key" } });
    const leaked = await platform.query(
      "SELECT count(*) AS n FROM bronze.user_events WHERE request_id LIKE 'b-%' OR request_id LIKE 'c-%' OR request_id LIKE 'd-%'",
    );
    expect(Number(leaked[0]!.n)).toBe(0);
  });

  it("ingests a gzip partner file dropped in landing/, quarantining bad rows with their reason", async () => {
    // Prepare
    const csv = [
      "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id",
      'KIT-1,VITD,"31.5",normal,2026-10-01T08:00:00Z,2026-10-02T09:00:00Z,lab-7',
      'KIT-2,VITD,"12,0",low,2026-10-01T08:00:00Z,2026-10-02T10:00:00Z,lab-7',
      "KIT-3,VITD,40,normal,2026-10-01T08:00:00Z,yesterday,lab-7",
      ",B12,410,normal,2026-10-01T08:00:00Z,2026-10-02T10:00:00Z,lab-7",
      "KIT-5,B12,410,normal",
    ].join("\r\n");

    // Act: a misleading name — gzip is detected by content
    await platform.ports.lake.put("landing/lab_results/drop-1.csv", gzipSync(Buffer.from(csv)));
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.lab_results WHERE _file = 'landing/lab_results/drop-1.csv'", 2);
    const quarantined = await platform.waitForCount("SELECT count(*) FROM quarantine.lab_results WHERE _origin LIKE 'landing/lab_results/drop-1.csv:%'", 3);

    // Assess
    expect(landed).toBe(2);
    expect(quarantined).toBe(3);
    const reasons = await platform.query("SELECT _origin, _reason FROM quarantine.lab_results ORDER BY _origin");
    expect(reasons.map((r) => r._origin)).toEqual(["landing/lab_results/drop-1.csv:3", "landing/lab_results/drop-1.csv:4", "landing/lab_results/drop-1.csv:5"]);
    expect(String(reasons[0]!._reason)).toContain("reported_at");
    expect(String(reasons[1]!._reason)).toContain("kit_barcode: required");
    expect(String(reasons[2]!._reason)).toContain("row has 4 fields");
    const values = await platform.query("SELECT result_value FROM bronze.lab_results ORDER BY kit_barcode");
    expect(values.map((r) => r.result_value)).toEqual(["31.5", "12,0"]);
  });

  it("quarantines a queued message it cannot route instead of dropping it", async () => {
    // Prepare: a message on the queue that is not a stream record envelope (e.g. a hand-made redrive)
    await platform.ports.queues.send("stream-records", [{ id: "stray-1", body: '{"hello":"world"}' }]);

    // Act
    const quarantined = await platform.waitForCount("SELECT count(*) FROM quarantine.unrouted_records", 1);

    // Assess
    expect(quarantined).toBe(1);
    const [row] = await platform.query("SELECT _reason, _raw FROM quarantine.unrouted_records");
    expect(row).toMatchObject({ _raw: '{"hello":"world"}', _reason: expect.stringContaining("not a stream record envelope") });
  });
});
