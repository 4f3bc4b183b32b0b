/**
 * How fresh one dataset is: its bronze files (the newest one, and how many silver has not merged yet), the newest
 * record's ingestion time (`_ingested_at`, read from the newest file), silver's current version, and whether the
 * newest record is older than the dataset's freshness SLO. A dataset with no bronze at all counts as stale: a
 * feed that never delivered is the first thing an on-call person wants to see.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Dataset, DatasetKind } from "../config";
import type { LakeStore, ListedObject } from "../lake";
import { sqlLiteral } from "../lake/sql-text";
import { readCurrentManifest } from "../medallion/layout";
import { openDuckDb } from "../medallion/version-writer";
import { bronzeFiles, consumedKeys } from "../medallion/watermark";

export interface DatasetStatus {
  dataset: string;
  kind: DatasetKind;
  source: string;
  bronzeFiles: number;
  /** The bronze file written last (by the store's modification time). */
  newestBronzeFile: { key: string; writtenAt: string } | null;
  /** The newest `_ingested_at` in that file: when the freshest record reached the platform. */
  newestRecordAt: string | null;
  /** The current silver version; `newestRecordAt` is the newest record it holds (what the AWS freshness alarm measures). */
  silver: { version: string; createdAt: string; rows: number; newestRecordAt: string | null } | null;
  /** Bronze files the current silver version has not merged yet (the next medallion run's work). */
  unmergedBronzeFiles: number;
  /** Age of the newest record at `generatedAt`; null when the dataset has no bronze yet. */
  freshnessSeconds: number | null;
  sloMinutes: number;
  stale: boolean;
  staleReason: string | null;
  /** CDC datasets: seconds the table's offset was behind its source at the last poll. */
  cdcLagSeconds: number | null;
  /** What could not be read (a file, a manifest); the rest of the line is still what could be. */
  problems: string[];
}

/** Newest `_ingested_at` (ISO) per immutable bronze file version, so a status refresh does not reread files. */
const recordTimeCache = new Map<string, string | null>();
const CACHE_LIMIT = 2_000;

/**
 * Reads the newest `_ingested_at` of bronze files with one DuckDB, opened on first need. Reads are queued one at
 * a time (they share the DuckDB connection and the scratch file), so callers may ask concurrently.
 */
export class NewestRecordReader {
  private duck: Awaited<ReturnType<typeof openDuckDb>> | undefined;
  private dir: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly lake: LakeStore) {}

  newestRecordAt(file: ListedObject): Promise<string | null> {
    const read = this.queue.then(() => this.read(file));
    this.queue = read.catch(() => undefined);
    return read;
  }

  private async read(file: ListedObject): Promise<string | null> {
    // Bronze files are never rewritten in place (compaction writes new keys), so key, size and time identify one.
    const cacheKey = `${file.key}@${file.lastModified.getTime()}/${file.size}`;
    const cached = recordTimeCache.get(cacheKey);
    if (cached !== undefined) return cached;
    this.duck ??= await openDuckDb();
    this.dir ??= await mkdtemp(join(tmpdir(), "tributary-status-"));
    // One file copied to local disk (not its whole partition): Parquet needs random access, S3 objects are remote.
    const path = join(this.dir, "newest.parquet");
    await pipeline(await this.lake.getStream(file.key), createWriteStream(path));
    const reader = await this.duck.conn.runAndReadAll(`SELECT epoch_us(max(_ingested_at))::BIGINT AS us FROM read_parquet(${sqlLiteral(path)})`);
    const micros = reader.getRowObjectsJson()[0]?.us;
    const iso = micros === null || micros === undefined ? null : new Date(Number(BigInt(String(micros)) / 1000n)).toISOString();
    if (recordTimeCache.size >= CACHE_LIMIT) recordTimeCache.delete(recordTimeCache.keys().next().value!);
    recordTimeCache.set(cacheKey, iso);
    return iso;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.duck?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * @example await datasetStatus(ports.lake, datasetNamed(config, "orders"), { now: new Date(), reader, cdcLagSeconds: 0 })
 * // { dataset: "orders", freshnessSeconds: 42, sloMinutes: 60, stale: false, silver: { version: "20261121T…", … }, … }
 */
export async function datasetStatus(
  lake: LakeStore,
  dataset: Dataset,
  context: { now: Date; reader: NewestRecordReader; cdcLagSeconds: number | null },
): Promise<DatasetStatus> {
  const problems: string[] = [];
  const bronze = await bronzeFiles(lake, dataset);
  const newest = bronze.reduce<ListedObject | undefined>((a, b) => (!a || b.lastModified > a.lastModified ? b : a), undefined);
  const manifest = await readCurrentManifest(lake, "silver", dataset.name).catch((error: Error) => void problems.push(error.message));
  const consumed = consumedKeys(manifest ?? undefined);

  let newestRecordAt: string | null = null;
  if (newest) {
    let unreadable = false;
    newestRecordAt = await context.reader.newestRecordAt(newest).catch((error: Error) => {
      unreadable = true;
      problems.push(`ops: could not read _ingested_at from ${newest!.key} (${error.message.split("\n")[0]}); freshness uses the file's write time`);
      return null;
    });
    if (newestRecordAt === null && !unreadable) problems.push(`ops: ${newest.key} holds no _ingested_at values; freshness uses the file's write time`);
  }
  const freshFrom = newestRecordAt ?? newest?.lastModified.toISOString() ?? null;
  const freshnessSeconds = freshFrom === null ? null : Math.max(0, Math.round((context.now.getTime() - Date.parse(freshFrom)) / 1000));
  const sloSeconds = dataset.freshnessSloMinutes * 60;
  const staleReason =
    freshnessSeconds === null
      ? "no bronze records yet"
      : freshnessSeconds > sloSeconds
        ? `newest record is ${formatAge(freshnessSeconds)} old, over the ${dataset.freshnessSloMinutes} min SLO`
        : null;

  return {
    dataset: dataset.name,
    kind: dataset.kind,
    source: dataset.source,
    bronzeFiles: bronze.length,
    newestBronzeFile: newest ? { key: newest.key, writtenAt: newest.lastModified.toISOString() } : null,
    newestRecordAt,
    silver: manifest ? { version: manifest.version, createdAt: manifest.createdAt, rows: manifest.rows, newestRecordAt: manifest.newestRecordAt ?? null } : null,
    unmergedBronzeFiles: bronze.filter((o) => !consumed.has(o.key)).length,
    freshnessSeconds,
    sloMinutes: dataset.freshnessSloMinutes,
    stale: staleReason !== null,
    staleReason,
    cdcLagSeconds: context.cdcLagSeconds,
    problems,
  };
}

/**
 * An age for people: the largest two units.
 *
 * @example formatAge(3725) // "1h 2m"
 */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const units: [string, number][] = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${name}`);
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
