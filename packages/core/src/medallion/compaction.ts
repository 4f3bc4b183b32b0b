/**
 * Compaction of small bronze files. Queue consumers tuned for freshness write many small files; each costs a
 * request on every merge and a line in the silver watermark. Once a partition is closed (its `dt` is older
 * than `CLOSED_AFTER_DAYS`, past GA's 72-hour backdating and link retries) and silver has merged its small files,
 * they are rewritten as one file and the originals deleted.
 *
 * Order, so a crash at any point loses nothing and duplicates nothing:
 * 1. write `compacted-<hash of the originals' keys>.parquet` (a rerun writes the same name) and check its row count;
 * 2. publish the silver manifest with `consumed` naming the compacted file instead of the originals, and the
 *    compaction recorded (the originals still count as consumed while they exist);
 * 3. delete the originals, then drop the record.
 * A crash after 1 leaves an unconsumed compacted file: the next merge takes it in, and silver's dedupe (CDC by
 * version, other records by `_record_id`) keeps the result equal. A crash after 2 is finished by the next run.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dataset } from "../config";
import type { LakeStore, ListedObject, StagedPrefix } from "../lake";
import { sqlLiteral } from "../lake/sql-text";
import type { Ports } from "../platform";
import { CompactionMismatchError } from "./errors";
import { publishManifest, readCurrentManifest, type TableManifest } from "./layout";
import { openDuckDb } from "./version-writer";
import { bronzeFiles } from "./watermark";

/** A partition is closed this many whole days after its `dt`. */
export const CLOSED_AFTER_DAYS = 3;
/** Files smaller than this are worth compacting. */
export const SMALL_FILE_BYTES = 32 * 1024 * 1024;
/** A partition is compacted once it has at least this many small merged files. */
export const MIN_FILES_TO_COMPACT = 8;
export const COMPACTED_PREFIX = "compacted-";

export interface CompactionPlan {
  /** The partition's key prefix, e.g. `bronze/streams/user_events/dt=2026-11-01/hour=07/`. */
  partition: string;
  from: string[];
  into: string;
}

export interface CompactionOutcome {
  dataset: string;
  partitions: number;
  filesCompacted: number;
  rows: number;
  /** Originals of an earlier, interrupted compaction deleted now. */
  finished: number;
}

/**
 * Which closed partitions to compact: small files silver has consumed, grouped by partition.
 *
 * @example planCompaction(files, manifest, new Date()) // [{ partition: "bronze/…/dt=2026-11-01/hour=07/", from: [...12 keys], into: "…/compacted-3f9a….parquet" }]
 */
export function planCompaction(files: ListedObject[], manifest: TableManifest, now: Date): CompactionPlan[] {
  const consumed = new Set(manifest.consumed);
  const cutoff = new Date(now.getTime() - CLOSED_AFTER_DAYS * 86_400_000).toISOString().slice(0, 10);
  const byPartition = new Map<string, string[]>();
  for (const file of files) {
    const slash = file.key.lastIndexOf("/");
    const partition = file.key.slice(0, slash + 1);
    const dt = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\//.exec(partition)?.[1];
    const small = file.size < SMALL_FILE_BYTES && !file.key.slice(slash + 1).startsWith(COMPACTED_PREFIX);
    if (!dt || dt >= cutoff || !small || !consumed.has(file.key)) continue;
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), file.key]);
  }
  return [...byPartition]
    .filter(([, keys]) => keys.length >= MIN_FILES_TO_COMPACT)
    .map(([partition, keys]) => {
      const from = keys.sort();
      const hash = createHash("sha256").update(from.join("\n")).digest("hex").slice(0, 16);
      return { partition, from, into: `${partition}${COMPACTED_PREFIX}${hash}.parquet` };
    });
}

/**
 * Finishes interrupted compactions, then compacts the dataset's closed partitions.
 *
 * @example await compactBronze(ports, datasetNamed(config, "user_events")) // { partitions: 2, filesCompacted: 40, rows: 812, finished: 0 }
 */
export async function compactBronze(ports: Ports, dataset: Dataset, options: { now?: Date } = {}): Promise<CompactionOutcome> {
  const lake = ports.lake;
  const outcome: CompactionOutcome = { dataset: dataset.name, partitions: 0, filesCompacted: 0, rows: 0, finished: 0 };
  let manifest = await readCurrentManifest(lake, "silver", dataset.name);
  if (!manifest) return outcome;
  if (manifest.compactions?.length) {
    outcome.finished = await deleteOriginals(lake, manifest.compactions.flatMap((c) => c.from));
    manifest = withoutCompactions(manifest);
    await publishManifest(lake, manifest);
  }
  const plans = planCompaction(await bronzeFiles(lake, dataset), manifest, options.now ?? new Date());
  if (plans.length === 0) return outcome;

  for (const plan of plans) outcome.rows += await writeCompacted(lake, plan);
  const replaced = new Set(plans.flatMap((p) => p.from));
  // A Set: after a crash between writing and publishing, a merge may already have consumed the compacted file.
  const consumed = [...new Set([...manifest.consumed.filter((k) => !replaced.has(k)), ...plans.map((p) => p.into)])].sort();
  await publishManifest(lake, { ...manifest, consumed, compactions: plans.map((p) => ({ into: p.into, from: p.from })) });
  await deleteOriginals(lake, [...replaced]);
  await publishManifest(lake, withoutCompactions({ ...manifest, consumed }));
  return { ...outcome, partitions: plans.length, filesCompacted: replaced.size };
}

function withoutCompactions(manifest: TableManifest): TableManifest {
  const { compactions: _done, ...rest } = manifest;
  return rest;
}

async function deleteOriginals(lake: LakeStore, keys: string[]): Promise<number> {
  let deleted = 0;
  for (const key of keys) {
    if (!(await lake.head(key))) continue;
    await lake.delete(key);
    deleted += 1;
  }
  return deleted;
}

/** Writes one partition's compacted file; returns its row count after checking it against the originals'. */
async function writeCompacted(lake: LakeStore, plan: CompactionPlan): Promise<number> {
  const stages: StagedPrefix[] = [];
  const out = await mkdtemp(join(tmpdir(), "tributary-compact-"));
  const duck = await openDuckDb();
  try {
    const stage = await lake.stage(plan.partition);
    stages.push(stage);
    const files = plan.from.map((k) => sqlLiteral(join(stage.dir, k.slice(plan.partition.length)))).join(", ");
    const source = `read_parquet([${files}], union_by_name = true, hive_partitioning = false)`;
    const expected = Number((await duck.conn.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]?.[0] ?? 0);
    const path = join(out, "compacted.parquet");
    await duck.conn.run(`COPY (SELECT * FROM ${source}) TO ${sqlLiteral(path)} (FORMAT PARQUET, COMPRESSION ZSTD)`);
    const written = Number((await duck.conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlLiteral(path)})`)).getRows()[0]?.[0] ?? 0);
    if (written !== expected) throw new CompactionMismatchError(plan.into, expected, written);
    await lake.put(plan.into, createReadStream(path));
    return written;
  } finally {
    await duck.close();
    for (const s of stages) await s.cleanup();
    await rm(out, { recursive: true, force: true });
  }
}
