/**
 * The platform status over a seeded lake, offsets table and queue pair: freshness per dataset from the newest
 * bronze record against its SLO, silver's version and unmerged files, CDC lag from the offsets, queue and
 * dead-letter depths, and the last workflow runs — with a fixed clock, so every number is known.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceOffset, loadOffset } from "@tributary/core/cdc";
import { datasetNamed, parseConfig, type Dataset } from "@tributary/core/config";
import { datasetPrefix } from "@tributary/core/lake";
import { openDeclaredQueue, startLocalDynamo, type DeclaredQueue, type LocalDynamo } from "@tributary/core/local";
import { publishManifest } from "@tributary/core/medallion";
import { finishWorkflowRun, InvalidOpsOptionError, localQueueDepths, platformStatus, startWorkflowRun, WORKFLOW_RUNS_PREFIX } from "@tributary/core/ops";
import type { Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { land } from "../medallion/medallion-harness";

const NOW = new Date("2026-11-21T10:00:00Z");
const input = structuredClone(shipped) as unknown as { streams: Record<string, unknown>[] };
input.streams[0] = { ...input.streams[0], freshnessSloMinutes: 15 };
const config = parseConfig(input);

let dynamo: LocalDynamo;
let dir: string;
let ports: Ports;
let queues: DeclaredQueue;

const event = (id: string) => ({ request_id: id, request_timestamp: "2026-11-21T09:00:00Z", cookie_id: "c-1", topic: "page_view" });
async function bronzeKeys(dataset: Dataset): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of ports.lake.list(datasetPrefix(dataset, "bronze"))) keys.push(o.key);
  return keys;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-status-"));
  dynamo = await startLocalDynamo({ tables: [{ name: "cdc_offsets", partitionKey: "pk" }] });
  ports = cdcPorts(config, join(dir, "lake"), dynamo.doc);
  const userEvents = datasetNamed(config, "user_events");
  // Two batches, written apart so the second is the newest file; silver has merged only the first.
  await land(ports, userEvents, { batch: "b1", records: [{ recordId: "user_events:e1", ingestedAt: "2026-11-21T09:50:00Z", row: event("e1") }] });
  const [merged] = await bronzeKeys(userEvents);
  await publishManifest(ports.lake, { layer: "silver", table: "user_events", version: "v1", createdAt: "2026-11-21T09:51:00.000Z", rows: 1, files: [], consumed: [merged!], added: [merged!], previousVersion: null });
  await new Promise((r) => setTimeout(r, 20));
  await land(ports, userEvents, { batch: "b2", records: [{ recordId: "user_events:e2", ingestedAt: "2026-11-21T09:55:00Z", row: event("e2") }] });
  await land(ports, datasetNamed(config, "lab_results"), {
    batch: "lab",
    records: [{ recordId: "lab:1", ingestedAt: "2026-11-21T06:00:00Z", row: { kit_barcode: "KIT-1", test_code: "B12", reported_at: "2026-11-21T05:00:00Z" } }],
  });
  await land(ports, datasetNamed(config, "orders"), {
    batch: "cdc-1",
    changes: [{ lsn: "0000002A000000000001", seqval: "0000002A000000000001", op: "insert", row: { order_id: 1, customer_id: 7, status: "paid" } }],
  });
  const offset = await loadOffset(ports, "backend", "orders");
  await advanceOffset(ports, offset, { ...offset, resume: { kind: "after", lsn: "0000002A000000000001" }, lagSeconds: 7, lastPollAt: "2026-11-21T09:59:00.000Z", rowsLanded: 1 });

  queues = await openDeclaredQueue(join(dir, "queues"), { name: "stream-records", visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionDays: 4 });
  await queues.queue.send([1, 2, 3].map((i) => ({ id: `m${i}`, body: "{}" })));
  await queues.queue.receive(1);
  await queues.deadLetterQueue.send([{ id: "dead-1", body: "{}" }, { id: "dead-2", body: "{}" }]);

  const older = await startWorkflowRun(ports.lake, "medallion", new Date("2026-11-21T08:00:00Z"));
  await finishWorkflowRun(ports.lake, older, { status: "SUCCEEDED", silverPublished: ["user_events"], goldPublished: [], error: null, note: null }, new Date("2026-11-21T08:01:00Z"));
  const newer = await startWorkflowRun(ports.lake, "medallion", new Date("2026-11-21T09:00:00Z"));
  await finishWorkflowRun(ports.lake, newer, { status: "FAILED", silverPublished: [], goldPublished: [], error: { error: "TokeniseKeyMissingError", cause: "medallion: no key" }, note: null }, new Date("2026-11-21T09:00:05Z"));
});

afterAll(async () => {
  await queues?.queue.close();
  await queues?.deadLetterQueue.close();
  await dynamo?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("platformStatus", () => {
  it("measures each dataset's freshness from its newest bronze record against its SLO", async () => {
    // Act
    const status = await platformStatus(ports, { now: NOW, queueDepths: localQueueDepths([queues.queue, queues.deadLetterQueue]) });

    // Assess
    const byName = Object.fromEntries(status.datasets.map((d) => [d.dataset, d]));
    expect(status.datasets.map((d) => d.dataset)).toEqual(["customers", "orders", "lab_results", "user_events", "user_utm", "ga_events"]);
    expect(byName.user_events).toMatchObject({
      kind: "stream",
      bronzeFiles: 2,
      unmergedBronzeFiles: 1,
      newestRecordAt: "2026-11-21T09:55:00.000Z",
      freshnessSeconds: 300,
      sloMinutes: 15,
      stale: false,
      staleReason: null,
      silver: { version: "v1", createdAt: "2026-11-21T09:51:00.000Z", rows: 1, newestRecordAt: null },
      cdcLagSeconds: null,
      problems: [],
    });
    expect(byName.user_events!.newestBronzeFile!.key).toContain("part-b2-");
    expect(byName.lab_results).toMatchObject({ freshnessSeconds: 4 * 3600, sloMinutes: 60, stale: true, staleReason: "newest record is 4h 0m old, over the 60 min SLO", silver: null, unmergedBronzeFiles: 1 });
    expect(byName.orders).toMatchObject({ kind: "cdc", newestRecordAt: "2026-11-01T00:00:00.000Z", stale: true, cdcLagSeconds: 7 });
    expect(byName.customers).toMatchObject({ bronzeFiles: 0, newestBronzeFile: null, freshnessSeconds: null, stale: true, staleReason: "no bronze records yet", cdcLagSeconds: null });
    expect(status.summary.staleDatasets).toEqual(["customers", "orders", "lab_results", "user_utm", "ga_events"]);
    expect(status.generatedAt).toBe(NOW.toISOString());
  });

  it("reports CDC lag per table, queue and dead-letter depths, and the newest workflow runs first", async () => {
    // Act
    const status = await platformStatus(ports, { now: NOW, queueDepths: localQueueDepths([queues.deadLetterQueue, queues.queue]), recentRuns: 5 });
    const lastOnly = await platformStatus(ports, { now: NOW, queueDepths: localQueueDepths([]), recentRuns: 1 });

    // Assess
    expect(status.cdc).toEqual([expect.objectContaining({ source: "backend", table: "orders", lagSeconds: 7, polledSecondsAgo: 60, rowsLanded: 1 })]);
    expect(status.queues).toEqual([{ queue: "stream-records", visible: 2, inFlight: 1, deadLetter: { queue: "stream-records-dlq", visible: 2, inFlight: 0 } }]);
    expect(status.summary.deadLetterMessages).toBe(2);
    expect(status.workflowRuns.map((r) => [r.startedAt, r.endedAt, r.status, r.silverPublished, r.error?.error ?? null])).toEqual([
      ["2026-11-21T09:00:00.000Z", "2026-11-21T09:00:05.000Z", "FAILED", [], "TokeniseKeyMissingError"],
      ["2026-11-21T08:00:00.000Z", "2026-11-21T08:01:00.000Z", "SUCCEEDED", ["user_events"], null],
    ]);
    expect(status.summary.lastRun).toMatchObject({ status: "FAILED", startedAt: "2026-11-21T09:00:00.000Z" });
    expect(lastOnly.workflowRuns.map((r) => r.status)).toEqual(["FAILED"]);
  });

  it("reports what it cannot read instead of failing, and refuses a bad option", async () => {
    // Prepare: a torn silver manifest, a bronze file that is not Parquet and a run record that is not JSON.
    await ports.lake.put("silver/user_utm/_current.json", "{ not json");
    const junk = `${datasetPrefix(datasetNamed(config, "ga_events"), "bronze")}dt=2026-11-21/hour=09/part-junk-0000.parquet`;
    await ports.lake.put(junk, "not parquet");
    await ports.lake.put(`${WORKFLOW_RUNS_PREFIX}medallion/0000000000000-broken.json`, "nope");

    // Act
    const status = await platformStatus(ports, { now: NOW, queueDepths: localQueueDepths([]) });
    const refused = platformStatus(ports, { now: NOW, queueDepths: localQueueDepths([]), recentRuns: -1 });

    // Assess
    expect(status.datasets.find((d) => d.dataset === "user_utm")!.problems).toEqual([expect.stringContaining("silver/user_utm/_current.json is not a valid table manifest")]);
    expect(status.datasets.find((d) => d.dataset === "ga_events")).toMatchObject({
      bronzeFiles: 1,
      newestRecordAt: null,
      newestBronzeFile: { key: junk },
      problems: [expect.stringMatching(/^ops: could not read _ingested_at from .*part-junk-0000\.parquet .*freshness uses the file's write time$/)],
    });
    expect(status.problems).toEqual([expect.stringContaining(`${WORKFLOW_RUNS_PREFIX}medallion/0000000000000-broken.json is not a valid workflow run record`)]);
    expect(status.workflowRuns).toEqual([]);
    await expect(refused).rejects.toThrow(InvalidOpsOptionError);
    await ports.lake.delete("silver/user_utm/_current.json");
    await ports.lake.delete(junk);
    await ports.lake.delete(`${WORKFLOW_RUNS_PREFIX}medallion/0000000000000-broken.json`);
  });
});
