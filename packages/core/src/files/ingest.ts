/**
 * Ingesting one landed file: check it fits one invocation, claim it in the ledger, stream it through the feed's
 * reader (hashing the bytes on the way), validate every row with the feed's schema, land good rows as bronze
 * Parquet chunks and bad rows in quarantine (file, row number, raw line, reason), then write a manifest and
 * announce it as `file.ingested`. Rows in = landed + quarantined, always; a file that fails part-way leaves
 * nothing behind.
 */
import { createHash } from "node:crypto";
import { compileRowValidator, datasetNamed, describeProblems } from "../config";
import { IngestBatch } from "../ingest";
import type { Ports } from "../platform";
import { ByteMeter, type IngestProgress } from "./byte-meter";
import { decodeStream } from "./decode";
import { HeaderMismatchError, RejectedFileError, UnreadableContentError, UnreadableFileError } from "./errors";
import { feedOfKey } from "./feed-of-key";
import { headerProblem } from "./header";
import { claimFile, completeFile } from "./ledger";
import { assertBeforeDeadline, assertFileFits, limitContent } from "./limits";
import { fileIngestedEvent, manifestKeyOf, type FileManifest } from "./manifest";
import { readRows } from "./read-rows";

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
}

/** How often the deadline is looked at, in rows. */
const DEADLINE_CHECK_EVERY_ROWS = 1000;

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
  const batchId = fileBatchId(object);
  const base = { key, etag: object.etag, versionId: object.versionId, feed: feed.name, batchId, format: feed.format.type };
  if ((await claimFile(ports, key, object.etag)) === "done") {
    const nothing = { gzip: false, bytes: 0, contentBytes: 0, sha256: null, rowsRead: 0, rowsLanded: 0, rowsQuarantined: 0, files: [], quarantineFiles: [] };
    const timings = { readMs: 0, closeMs: 0, totalMs: Date.now() - started };
    return { ...base, ...nothing, status: "already-ingested", startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), timings };
  }

  const dataset = datasetNamed(ports.config, feed.name);
  // CSV and Parquet columns are checked against the feed up front; JSON Lines objects may carry extra fields.
  const validate = compileRowValidator(dataset, { unknownFields: feed.format.type === "jsonl" ? "ignore" : "reject" });
  const batch = new IngestBatch(ports, batchId);
  let rowsRead = 0;
  const meter = new ByteMeter(() => rowsRead, size, onProgress);
  let gzip: boolean;
  const counted = { bytes: 0 };
  try {
    assertBeforeDeadline(key, options.deadline, { bytes: 0, size });
    const decoded = await decodeStream(meter.measure(await ports.lake.getStream(key)));
    gzip = decoded.gzip;
    const content = limitContent(key, decoded.stream, ports.config.settings.files, counted);
    const rows = readRows(content, feed.format, {
      columns: dataset.columns.filter((c) => !c.lineage).map((c) => c.name),
      onColumns: (names) => {
        const problem = headerProblem(dataset, names);
        if (problem) throw new HeaderMismatchError(key, problem);
      },
      spool: { key, maxBytes: ports.config.settings.files.maxSpoolBytes },
    });
    for await (const item of rows) {
      rowsRead += 1;
      const origin = `${key}:${item.rowNumber}`;
      const recordId = `${batchId}:${item.rowNumber}`;
      if ("problem" in item) {
        await batch.quarantine(dataset, { recordId, reason: item.problem, origin, raw: item.raw });
      } else {
        const checked = validate(item.record);
        if (checked.ok) {
          await batch.land(dataset, checked.row, { _record_id: recordId, _file: key, _row_number: BigInt(item.rowNumber) });
        } else {
          await batch.quarantine(dataset, { recordId, reason: describeProblems(checked.problems), origin, raw: item.raw });
        }
      }
      if (rowsRead % DEADLINE_CHECK_EVERY_ROWS === 0) assertBeforeDeadline(key, options.deadline, { bytes: meter.bytes, size });
    }
    if (meter.bytes !== size) {
      throw new UnreadableContentError(`read ${meter.bytes} bytes but the object has ${size}: it changed while being read`);
    }
  } catch (error) {
    // Never a partial load: chunks already flushed are removed and nothing is announced. An unreadable file is
    // thrown on, so the ledger stays in_progress and the message is retried, then waits in the DLQ; a refused
    // one (too large, columns that do not match) is answered once by `ingestNotification`.
    await removeWhatLanded(batch, key, error);
    if (error instanceof RejectedFileError) throw error;
    const reason = error instanceof UnreadableContentError ? error.reason : (error as Error).message;
    throw new UnreadableFileError(key, reason, { cause: error });
  }
  meter.report();
  const readDone = Date.now();
  const outcome = await batch.close();
  const landed = outcome.datasets.find((d) => d.dataset === dataset.name);
  const finished = Date.now();
  const manifest: FileManifest = {
    ...base,
    status: "ingested",
    gzip,
    bytes: meter.bytes,
    contentBytes: counted.bytes,
    sha256: meter.sha256(),
    rowsRead,
    rowsLanded: outcome.landed,
    rowsQuarantined: outcome.quarantined,
    files: landed?.files ?? [],
    quarantineFiles: landed?.quarantineFiles ?? [],
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

async function removeWhatLanded(batch: IngestBatch, key: string, cause: unknown): Promise<void> {
  try {
    await batch.abort();
  } catch (abortError) {
    throw new UnreadableFileError(
      key,
      `${(cause as Error).message}; removing the chunks it had written failed too (${(abortError as Error).message}), so bronze may hold part of it`,
      { cause },
    );
  }
}
