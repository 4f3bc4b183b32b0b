/**
 * Backfill from bronze on the local platform: records land while linking is cut off from their announcements;
 * the backfill re-announces exactly the bronze files of its range, the real-time report catches up on those
 * records only, and a second backfill leaves the report table as it was.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalBusEvent } from "@tributary/core/local";
import { backfillDataset, InvalidBackfillDateError, InvalidBackfillRangeError, UnknownBackfillDatasetError, type BackfillProgress } from "@tributary/core/ops";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const event = (id: string, at: string) => ({ request_id: id, request_timestamp: at, cookie_id: `cookie-${id}`, topic: "page_view", user_account_id: `cust-${id}` });

const RECORDS = [
  event("d1-a", "2026-05-01T08:00:00Z"),
  event("d2-a", "2026-05-02T09:00:00Z"),
  event("d2-b", "2026-05-02T09:30:00Z"),
  event("d2-c", "2026-05-02T14:00:00Z"),
  event("d3-a", "2026-05-03T23:59:59Z"),
  event("d3-b", "2026-05-03T00:00:00Z"),
  event("d4-a", "2026-05-04T00:00:00Z"),
];
const IN_RANGE = ["d2-a", "d2-b", "d2-c", "d3-a", "d3-b"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("backfilling a dataset from bronze", () => {
  let platform: TestPlatform;
  const announced: LocalBusEvent[] = [];

  /** Every item of the real-time report table, in key order. */
  async function reportItems(): Promise<Record<string, unknown>[]> {
    const out = await platform.ports.dynamo.send(new ScanCommand({ TableName: platform.ports.tableName("realtime_reports"), ConsistentRead: true }));
    return (out.Items ?? []).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  }

  /** Waits until the queue's consumer has taken everything in it. */
  async function drained(name: string): Promise<void> {
    const queue = platform.queues.get(name)!;
    const deadline = Date.now() + 30_000;
    while (queue.depth().visible + queue.depth().inFlight > 0 && Date.now() < deadline) await sleep(50);
  }

  /** Waits until landing has announced, the bus has delivered, and the link function has taken everything queued for it. */
  async function linked(): Promise<void> {
    // stream-bronze deletes its messages only after its announcement was put on the bus.
    await drained("stream-records");
    await platform.bus.drain();
    await drained("link-requests");
  }

  beforeAll(async () => {
    platform = await startTestPlatform();
    // Linking is cut off from announcements while the records land, as during a link outage.
    const rule = platform.wiring.rules.find((r) => r.name === "record-ingested")!;
    platform.bus.removeRule(rule.name, rule.bus);
    platform.bus.addRule({ name: "capture", bus: rule.bus, pattern: rule.pattern, target: async (e) => void announced.push(e) });
    await platform.post("/v1/streams/user_events/records", { records: RECORDS });
    await platform.waitForCount("SELECT count(*) FROM bronze.user_events", RECORDS.length);
    await linked();
    announced.length = 0;
    // The outage is over: announcements reach link-requests again, as the wiring routes them.
    const linkRequests = platform.queues.get(rule.targetQueue)!;
    platform.bus.addRule({ ...rule, target: async (e) => void (await linkRequests.send([{ id: String(e.id), body: JSON.stringify(e) }])) });
  });
  afterAll(async () => platform?.dispose());

  it("re-announces exactly the files of its range, the report catches up on them, and a second run changes nothing", async () => {
    // Prepare
    const expectedFiles: string[] = [];
    for (const dt of ["2026-05-02", "2026-05-03"]) for await (const o of platform.ports.lake.list(`bronze/streams/user_events/dt=${dt}/`)) expectedFiles.push(o.key);
    const reportBefore = await reportItems();
    const progress: BackfillProgress[] = [];
    announced.length = 0;

    // Act
    const first = await backfillDataset(platform.ports, { dataset: "user_events", from: "2026-05-02", to: "2026-05-03" }, { onProgress: (p) => progress.push(p) });
    await linked();
    const firstEvents = announced.splice(0);
    const reportAfterFirst = await reportItems();
    const second = await backfillDataset(platform.ports, { dataset: "user_events", from: "2026-05-02", to: "2026-05-03" });
    await linked();
    const secondEvents = announced.splice(0);
    const reportAfterSecond = await reportItems();

    // Assess
    // One file per dt/hour partition of the batch: 05-02 hours 09 and 14, 05-03 hours 00 and 23.
    expect(expectedFiles.length).toBe(4);
    expect(first).toEqual({ dataset: "user_events", from: "2026-05-02", to: "2026-05-03", partitions: ["2026-05-02", "2026-05-03"], files: 4, announced: 4, rows: IN_RANGE.length });
    expect(progress.at(-1)).toEqual({ files: 4, announced: 4, rows: IN_RANGE.length });
    expect(firstEvents.map((e) => e["detail-type"])).toEqual(expectedFiles.map(() => "record.ingested"));
    expect(firstEvents.flatMap((e) => e.detail.files as string[]).sort()).toEqual(expectedFiles.sort());
    expect(secondEvents.flatMap((e) => e.detail.files as string[]).sort()).toEqual(expectedFiles.sort());
    expect(firstEvents.map((e) => e.detail)).toEqual(firstEvents.map(() => expect.objectContaining({ dataset: "user_events", source: "streams", linkKeysComplete: false, records: [] })));
    expect(firstEvents.reduce((n, e) => n + (e.detail.landed as number), 0)).toBe(IN_RANGE.length);
    expect(reportBefore).toEqual([]);
    const visitors = reportAfterFirst.filter((item) => item.visitor !== undefined).map((item) => item.visitor);
    expect(visitors.sort()).toEqual(IN_RANGE.map((id) => `cookie-${id}`).sort());
    expect(second).toEqual(first);
    expect(reportAfterSecond).toEqual(reportAfterFirst);
  });

  it("announces nothing for a range without bronze files", async () => {
    // Prepare
    announced.length = 0;

    // Act
    const outcome = await backfillDataset(platform.ports, { dataset: "user_events", from: "2025-12-30", to: "2026-01-02" });
    await platform.bus.drain();

    // Assess
    expect(outcome).toMatchObject({ partitions: [], files: 0, announced: 0, rows: 0 });
    expect(announced).toEqual([]);
  });

  it("refuses bad dates, an inverted range and an unknown dataset before announcing anything", async () => {
    // Prepare
    announced.length = 0;
    const requests = [
      { dataset: "user_events", from: "2026-5-02", to: "2026-05-03" },
      { dataset: "user_events", from: "2026-05-02", to: "2026-02-30" },
      { dataset: "user_events", from: "2026-05-03", to: "2026-05-02" },
      { dataset: "user_events", from: "2000-01-01", to: "2026-05-02" },
      { dataset: "user_event", from: "2026-05-02", to: "2026-05-03" },
    ];

    // Act
    const results = await Promise.allSettled(requests.map((request) => backfillDataset(platform.ports, request)));
    await platform.bus.drain();

    // Assess
    const errors = results.map((r) => (r.status === "rejected" ? (r.reason as Error) : undefined));
    expect(errors[0]).toBeInstanceOf(InvalidBackfillDateError);
    expect(errors[0]?.message).toBe('ops: backfill: --from "2026-5-02" is not a date (expected YYYY-MM-DD, a real calendar day)');
    expect(errors[1]?.message).toBe('ops: backfill: --to "2026-02-30" is not a date (expected YYYY-MM-DD, a real calendar day)');
    expect(errors[2]).toBeInstanceOf(InvalidBackfillRangeError);
    expect(errors[2]?.message).toBe("ops: backfill: range 2026-05-03..2026-05-02 is invalid: --from is after --to");
    expect(errors[3]?.message).toMatch(/spans 9619 days; a backfill covers at most 3660$/);
    expect(errors[4]).toBeInstanceOf(UnknownBackfillDatasetError);
    expect(errors[4]?.message).toMatch(/^ops: backfill: no dataset named "user_event" \(declared: .*\buser_events\b.*\)$/);
    expect(announced).toEqual([]);
  });
});
