/**
 * Ingesting one landed file: check it fits one invocation, claim it in the ledger, land it through the path that
 * suits its feed (`ingest-engine.ts`: DuckDB for CSV/TSV, streaming for the rest) — good rows as bronze Parquet
 * chunks, bad rows in quarantine (file, row number, raw line, reason), hashing the bytes on the way — then write a
 * manifest and announce it as `file.ingested`. Rows in = landed + quarantined, always; a file that fails part-way
 * leaves nothing behind.
 */
import { createHash } from "node:crypto";
import { datasetNamed } from "../config";
import type { Ports } from "../platform";
import type { IngestProgress } from "./byte-meter";
import { ingestWithDuckDb } from "./duckdb-ingest";
import { DuckDbDisagreementError, UnreadableFileError } from "./errors";
import { feedOfKey } from "./feed-of-key";
import { chooseEngine, type IngestEngine } from "./ingest-engine";
import { ingestStreaming } from "./ingest-streaming";
import type { FileToIngest, LandedFile } from "./landed-file";
import { claimFile, completeFile } from "./ledger";
import { assertFileFits } from "./limits";
import { fileIngestedEvent, manifestKeyOf, type FileManifest } from "./manifest";

export interface LandedObject {
  key: string;
  etag: string;
  /** The object's size; when unknown, ingestion asks the lake. */
  size?: number;
  versionId?: string;
}

export interface IngestFileOptions {
  /**
   * Epoch milliseconds by which ingestion must have finished (Lambda: now + remaining time − a margin for the
   * cleanup). Past it, what had landed is removed and the file is refused as too large, instead of being cut off
   * mid-write by the timeout.
   */
  deadline?: number;
  /** Which path reads the file; by default the feed's format decides (`chooseEngine`). Tests and benchmarks force one. */
  engine?: IngestEngine | "auto";
}

/**
 * The batch id of a file version: every chunk name derives from it, so a retry overwrites rather than duplicates.
 *
 * @example fileBatchId({ key: "landing/lab_results/a.csv", etag: "9b2cf535f27731c974343645a3985328" }) // "3f1c…" (20 hex digits)
 */
export function fileBatchId(object: Pick<LandedObject, "key" | "etag" | "versionId">): string {
  return createHash("sha256").update(`${object.key}\n${object.versionId ?? object.etag}`).digest("hex").slice(0, 20);
}

/**
 * @example
 * const manifest = await ingestFile(ports, { key: "landing/lab_results/a.csv", etag, size }, (p) => bar.update(p.bytes / p.totalBytes));
 * manifest.rowsRead === manifest.rowsLanded + manifest.rowsQuarantined; // always
 */
export async function ingestFile(
  ports: Ports,
  object: LandedObject,
  onProgress?: (progress: IngestProgress) => void,
  options: IngestFileOptions = {},
): Promise<FileManifest> {
  const { key } = object;
  const feed = feedOfKey(ports.config, key);
  const started = Date.now();
  const size = object.size ?? (await ports.lake.head(key))?.size;
  if (size === undefined) throw new UnreadableFileError(key, "the object does not exist (any more)");
  assertFileFits(key, size, feed.format, ports.config.settings.files);
  const engine = chooseEngine(feed, options.engine);
  const batchId = fileBatchId(object);
  const base = { key, etag: object.etag, versionId: object.versionId, feed: feed.name, batchId, format: feed.format.type };
  if ((await claimFile(ports, key, object.etag)) === "done") {
    const nothing = { gzip: false, bytes: 0, contentBytes: 0, sha256: null, rowsRead: 0, rowsLanded: 0, rowsQuarantined: 0, files: [], quarantineFiles: [] };
    const timings = { readMs: 0, closeMs: 0, totalMs: Date.now() - started };
    return { ...base, ...nothing, engine, status: "already-ingested", startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), timings };
  }

  const file: FileToIngest = { key, size, feed, dataset: datasetNamed(ports.config, feed.name), batchId };
  let landed: LandedFile;
  let ran: IngestEngine = engine;
  let engineFallback: string | undefined;
  if (engine === "duckdb") {
    try {
      landed = await ingestWithDuckDb(ports, file, onProgress, options);
    } catch (error) {
      if (!(error instanceof DuckDbDisagreementError)) throw error;
      // DuckDB read the file differently from the scanner (nothing was stored): the streaming path reads it exactly.
      ran = "streaming";
      engineFallback = error.reason;
      landed = await ingestStreaming(ports, file, onProgress, options);
    }
  } else {
    landed = await ingestStreaming(ports, file, onProgress, options);
  }
  const finished = Date.now();
  const { readDone, ...counts } = landed;
  const manifest: FileManifest = {
    ...base,
    status: "ingested",
    engine: ran,
    ...(engineFallback === undefined ? {} : { engineFallback }),
    ...counts,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    timings: { readMs: readDone - started, closeMs: finished - readDone, totalMs: finished - started },
  };
  const manifestKey = manifestKeyOf(feed.name, batchId);
  await ports.lake.put(manifestKey, JSON.stringify(manifest, null, 2), { contentType: "application/json" });
  // Announced before the ledger says done: if completing fails, the redelivery announces again (at least once),
  // whereas the other order could lose the announcement for good.
  await ports.bus.put([fileIngestedEvent(manifest)]);
  await completeFile(ports, key, object.etag, manifestKey);
  return manifest;
}
