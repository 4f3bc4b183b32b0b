/**
 * Bronze compaction: small files silver has merged, in partitions closed for `CLOSED_AFTER_DAYS`, become one file
 * with the same rows; the silver watermark names it instead; a crash at any point of the three steps leaves
 * silver's rows unchanged and the next run finishes the job.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { datasetPrefix, type LakeStore } from "@tributary/core/lake";
import { CLOSED_AFTER_DAYS, compactBronze, MIN_FILES_TO_COMPACT, mergeSilver, readCurrentManifest } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { land, tableRows } from "./medallion-harness";

const config = parseConfig(shipped);
const events = datasetNamed(config, "user_events");
const SHOW = ["request_id", "topic", "user_account_id"];
/** Bronze partitions come from `request_timestamp` (event time): all fixtures fall on 2026-11-01. */
const CLOSED = new Date(Date.parse("2026-11-01T00:00:00Z") + (CLOSED_AFTER_DAYS + 1) * 86_400_000);
const STILL_OPEN = new Date("2026-11-02T12:00:00Z");

let dir: string;
let ports: Ports;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-compact-"));
  ports = cdcPorts(config, dir, undefined as never);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Lands `count` one-record batches (one small bronze file each); record ids from `first`. */
async function landSmallFiles(count: number, first = 0): Promise<void> {
  for (let i = first; i < first + count; i += 1) {
    const id = `r${String(i).padStart(3, "0")}`;
    await land(ports, events, {
      batch: `b${id}`,
      records: [{ recordId: `user_events:${id}`, ingestedAt: "2026-11-01T08:00:00Z", row: { request_id: id, request_timestamp: `2026-11-01T08:${String(i % 60).padStart(2, "0")}:00Z`, topic: "page", user_account_id: "42" } }],
    });
  }
}
const bronzeKeys = async (lake: LakeStore = ports.lake) => {
  const keys: string[] = [];
  for await (const o of lake.list(datasetPrefix(events, "bronze"))) if (o.key.endsWith(".parquet")) keys.push(o.key);
  return keys;
};
const silver = async () => (await tableRows(ports, dir, "silver", "user_events", SHOW)).sort((a, b) => String(a.request_id).localeCompare(String(b.request_id)));
/** The same lake, failing at the first call `failOn` picks. */
const failingLake = (failOn: (method: "put" | "delete", key: string) => boolean): LakeStore => {
  const lake = ports.lake;
  const fail = (method: "put" | "delete", key: string) => {
    if (failOn(method, key)) throw new Error(`injected failure: ${method} ${key}`);
  };
  return Object.assign(Object.create(lake) as LakeStore, {
    put: async (...args: Parameters<LakeStore["put"]>) => (fail("put", args[0]), lake.put(...args)),
    delete: async (key: string) => (fail("delete", key), lake.delete(key)),
  });
};

describe("compactBronze", () => {
  it("rewrites a closed partition's merged small files as one file with the same rows; silver reads the same", async () => {
    // Prepare
    await landSmallFiles(MIN_FILES_TO_COMPACT + 2);
    await mergeSilver(ports, events, { entityRoots: new Map() });
    const before = await silver();

    // Act
    const outcome = await compactBronze(ports, events, { now: CLOSED });

    // Assess
    expect(outcome).toMatchObject({ partitions: 1, filesCompacted: MIN_FILES_TO_COMPACT + 2, rows: MIN_FILES_TO_COMPACT + 2, finished: 0 });
    const keys = await bronzeKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\/compacted-[0-9a-f]{16}\.parquet$/);
    const manifest = await readCurrentManifest(ports.lake, "silver", "user_events");
    expect(manifest?.consumed).toEqual(keys);
    expect(manifest?.compactions).toBeUndefined();
    expect(await mergeSilver(ports, events, { entityRoots: new Map() })).toMatchObject({ status: "unchanged", added: 0 });
    expect(await silver()).toEqual(before);
  });

  it("leaves open partitions, partitions with few files, and files silver has not merged", async () => {
    // Prepare
    await landSmallFiles(MIN_FILES_TO_COMPACT - 1);
    await mergeSilver(ports, events, { entityRoots: new Map() });
    await landSmallFiles(5, 100); // not merged yet: 12 files, only 7 merged

    // Act
    const open = await compactBronze(ports, events, { now: STILL_OPEN });
    const few = await compactBronze(ports, events, { now: CLOSED });

    // Assess
    expect(open.partitions).toBe(0);
    expect(few.partitions).toBe(0);
    expect(await bronzeKeys()).toHaveLength(MIN_FILES_TO_COMPACT - 1 + 5);
  });

  it("a crash after writing the compacted file: the next merge takes it in without changing silver, the rerun finishes", async () => {
    // Prepare
    await landSmallFiles(MIN_FILES_TO_COMPACT);
    await mergeSilver(ports, events, { entityRoots: new Map() });
    const before = await silver();
    const crashing = { ...ports, lake: failingLake((method, key) => method === "put" && key.endsWith("_current.json")) };

    // Act
    await expect(compactBronze(crashing, events, { now: CLOSED })).rejects.toThrow(/injected failure/);
    const merged = await mergeSilver(ports, events, { entityRoots: new Map() });
    const rerun = await compactBronze(ports, events, { now: CLOSED });

    // Assess
    expect(merged).toMatchObject({ status: "published", added: 1 });
    expect(await silver()).toEqual(before);
    expect(rerun.filesCompacted).toBe(MIN_FILES_TO_COMPACT);
    expect(await bronzeKeys()).toHaveLength(1);
    expect((await readCurrentManifest(ports.lake, "silver", "user_events"))?.consumed).toEqual(await bronzeKeys());
    expect(await silver()).toEqual(before);
  });

  it("a crash while deleting the originals: they still count as merged, and the next run deletes them", async () => {
    // Prepare
    await landSmallFiles(MIN_FILES_TO_COMPACT);
    await mergeSilver(ports, events, { entityRoots: new Map() });
    const before = await silver();
    let deletes = 0;
    const crashing = { ...ports, lake: failingLake((method) => method === "delete" && (deletes += 1) === 3) };

    // Act
    await expect(compactBronze(crashing, events, { now: CLOSED })).rejects.toThrow(/injected failure/);
    const pending = await readCurrentManifest(ports.lake, "silver", "user_events");
    const merged = await mergeSilver(ports, events, { entityRoots: new Map() });
    const rerun = await compactBronze(ports, events, { now: CLOSED });

    // Assess
    expect(pending?.compactions?.[0]?.from).toHaveLength(MIN_FILES_TO_COMPACT);
    expect(merged.status).toBe("unchanged");
    expect(rerun.finished).toBe(MIN_FILES_TO_COMPACT - 2);
    expect(await bronzeKeys()).toHaveLength(1);
    expect((await readCurrentManifest(ports.lake, "silver", "user_events"))?.compactions).toBeUndefined();
    expect(await silver()).toEqual(before);
  });
});
