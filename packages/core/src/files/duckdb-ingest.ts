/**
 * The DuckDB path for CSV/TSV feeds: stage the object to a temp directory (hashing and counting it on the way,
 * see `csv-staging.ts`), let DuckDB write bronze and quarantine Parquet there (`duckdb-load.ts`), then store the
 * files through the `LakeStore` under the names the JS bronze writer uses, and announce `record.ingested`.
 *
 * Names derive from (batch id, chunk index): `<prefix>dt=…/hour=…/part-<batchId>-<nnnn>.parquet`. DuckDB writes
 * one file per hour and staged piece, and a piece holds at most `maxRowsPerFile` rows, so no file holds more. A
 * retried file overwrites its chunks, and chunks of this batch that an earlier attempt left beyond them are
 * removed, so a retry never duplicates rows (DuckDB's threads may spread an hour's rows differently).
 *
 * Peak local disk: the staged CSV (about the decompressed size) plus the Parquet written (a fraction of it) plus
 * whatever DuckDB spills; the Lambda's ephemeral storage is sized for `maxBytesPerInvocation` (wiring.ts).
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nowMicros, partitionOf, type Dataset } from "../config";
import { recordIngestedEvents } from "../ingest";
import { compareKeys, datasetPrefix, PARQUET_CONTENT_TYPE, partFileName, partitionPath, type LakeStore } from "../lake";
import type { Ports } from "../platform";
import { ByteMeter, type IngestProgress } from "./byte-meter";
import { stageCsv, type CsvFormat, type StagedCsv } from "./csv-staging";
import type { BronzeLineage } from "./duckdb-bronze-sql";
import { DuckDbLoad, type LocalBronzeFile, type LocalLoad } from "./duckdb-load";
import { DuckDbDisagreementError } from "./errors";
import { ingestionError, removeStored, type FileToIngest, type LandedFile } from "./landed-file";

const MICROS_PER_HOUR = 3_600_000_000n;
/** Files stored at once: overlaps S3's per-request latency without holding many streams open. */
const PARALLEL_PUTS = 4;

const NOTHING_LOADED: LocalLoad = { bronze: [], quarantine: undefined, rowsLanded: 0, rowsQuarantined: 0, linkRecords: [], linkKeysComplete: true };

/**
 * @example const landed = await ingestWithDuckDb(ports, { key, size, feed, dataset, batchId }, onProgress, options);
 */
export async function ingestWithDuckDb(
  ports: Ports,
  file: FileToIngest,
  onProgress: ((progress: IngestProgress) => void) | undefined,
  options: { readonly deadline?: number },
): Promise<LandedFile> {
  const { key, size, dataset, batchId } = file;
  const dir = await mkdtemp(join(tmpdir(), "tributary-ingest-"));
  const stored: string[] = [];
  const progress = { rows: 0 };
  const meter = new ByteMeter(() => progress.rows, size, onProgress);
  const lineage = { key, batchId, ingestedAt: nowMicros() };
  try {
    const { staged, local } = await stageAndLoad(ports, file, { meter, progress, lineage, dir, deadlineOf: () => options.deadline });
    meter.report();
    const readDone = Date.now();
    const files = await storeBronze(ports.lake, dataset, batchId, local.bronze, stored);
    const quarantineFiles = local.quarantine ? await storeQuarantine(ports.lake, dataset, batchId, lineage.ingestedAt, local.quarantine, stored) : [];
    if (local.rowsLanded > 0) {
      const summary = {
        dataset: dataset.name,
        source: dataset.source,
        batchId,
        files,
        landed: local.rowsLanded,
        quarantined: local.rowsQuarantined,
        linkKeysComplete: local.linkKeysComplete,
      };
      // Announced only once every file is stored: a consumer may read them at once.
      await ports.bus.put(recordIngestedEvents(summary, local.linkRecords));
    }
    return {
      gzip: staged.gzip,
      bytes: meter.bytes,
      contentBytes: staged.contentBytes,
      sha256: meter.sha256(),
      rowsRead: staged.rowsRead,
      rowsLanded: local.rowsLanded,
      rowsQuarantined: local.rowsQuarantined,
      files,
      quarantineFiles,
      readDone,
    };
  } catch (error) {
    // Nothing is stored before DuckDB's reading is checked: a disagreement leaves the lake untouched.
    if (error instanceof DuckDbDisagreementError) throw error;
    await removeStored(ports.lake, stored, key, error);
    throw ingestionError(key, error);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface LoadContext {
  meter: ByteMeter;
  /** Rows numbered so far, for the meter's progress reports. */
  progress: { rows: number };
  lineage: BronzeLineage;
  dir: string;
  deadlineOf: () => number | undefined;
}

/** Stages the file piece by piece while DuckDB loads the pieces already staged; the Parquet stays on local disk. */
async function stageAndLoad(ports: Ports, file: FileToIngest, context: LoadContext): Promise<{ staged: StagedCsv; local: LocalLoad }> {
  const { key, size, dataset } = file;
  const format = file.feed.format as CsvFormat;
  const { meter, lineage, dir, deadlineOf } = context;
  const load = await DuckDbLoad.open({ delimiter: format.delimiter, quote: format.quote, dataset, linkKeys: ports.config.links.keys, lineage, dir, size, deadlineOf });
  try {
    const staged = await stageCsv({
      lake: ports.lake,
      key,
      size,
      format,
      dataset,
      limits: ports.config.settings.files,
      meter,
      deadlineOf,
      dir,
      onRows: (rows) => (context.progress.rows = rows),
      onPiece: (piece) => load.add(piece),
      maxRowsPerPiece: ports.config.settings.bronze.maxRowsPerFile,
    });
    const local = staged.rowsRead === 0 ? NOTHING_LOADED : await load.finish(staged);
    return { staged, local };
  } finally {
    // Closed before the upload: DuckDB's memory is not held while the files are stored.
    await load.close();
  }
}

/** Stores the bronze files hour by hour as `part-<batchId>-<nnnn>`; returns their keys in key order. */
async function storeBronze(lake: LakeStore, dataset: Dataset, batchId: string, files: LocalBronzeFile[], stored: string[]): Promise<string[]> {
  const byHour = new Map<number, string[]>();
  for (const file of files) byHour.set(file.hour, [...(byHour.get(file.hour) ?? []), file.path]);
  const puts: { path: string; key: string }[] = [];
  const partitions: { prefix: string; keys: Set<string> }[] = [];
  for (const [hour, paths] of byHour) {
    const prefix = `${datasetPrefix(dataset, "bronze")}${partitionPath(partitionOf(BigInt(hour) * MICROS_PER_HOUR))}`;
    const keys = paths.map((path, chunk) => ({ path, key: `${prefix}${partFileName(batchId, chunk)}` }));
    puts.push(...keys);
    partitions.push({ prefix, keys: new Set(keys.map((k) => k.key)) });
  }
  await putAll(lake, puts, stored);
  for (const { prefix, keys } of partitions) await removeStaleChunks(lake, prefix, batchId, keys);
  return puts.map((p) => p.key).sort(compareKeys);
}

/** Stores the quarantine file in the partition of the batch's ingestion time, as `QuarantineWriter` does. */
async function storeQuarantine(lake: LakeStore, dataset: Dataset, batchId: string, ingestedAt: bigint, path: string, stored: string[]): Promise<string[]> {
  const prefix = `${datasetPrefix(dataset, "quarantine")}${partitionPath(partitionOf(ingestedAt))}`;
  const key = `${prefix}${partFileName(batchId, 0)}`;
  await putAll(lake, [{ path, key }], stored);
  await removeStaleChunks(lake, prefix, batchId, new Set([key]));
  return [key];
}

async function putAll(lake: LakeStore, puts: { path: string; key: string }[], stored: string[]): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < puts.length && !failed) {
      const { path, key } = puts[next++]!;
      try {
        await lake.put(key, createReadStream(path), { contentType: PARQUET_CONTENT_TYPE });
      } catch (error) {
        failed = true;
        throw error;
      }
      stored.push(key);
    }
  };
  // Every worker settles before a failure is reported, so `stored` lists all there is to remove.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_PUTS, puts.length) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
}

/** Chunks of this batch in the partition that this attempt did not write: left by an earlier, larger attempt. */
async function removeStaleChunks(lake: LakeStore, prefix: string, batchId: string, keep: Set<string>): Promise<void> {
  const stale: string[] = [];
  // Every chunk name of the batch starts so (see `partFileName`).
  for await (const object of lake.listKeys(`${prefix}part-${batchId}-`)) {
    if (!keep.has(object.key)) stale.push(object.key);
  }
  for (const key of stale) await lake.delete(key);
}
