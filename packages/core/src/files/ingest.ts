/**
 * Ingesting one landed file: claim it in the ledger, stream it through the feed's reader, validate every row
 * with the feed's schema, land good rows as bronze Parquet chunks and bad rows in quarantine (file, row number,
 * raw line, reason), then write a manifest. Rows in = landed + quarantined, always.
 */
import { createHash } from "node:crypto";
import { compileRowValidator, datasetNamed, describeProblems } from "../config";
import { IngestBatch } from "../ingest";
import type { Ports } from "../platform";
import { decodeStream } from "./decode";
import { UnreadableFileError } from "./errors";
import { feedOfKey } from "./feed-of-key";
import { claimFile, completeFile } from "./ledger";
import { readRows } from "./read-rows";

export interface LandedObject {
  key: string;
  etag: string;
  size: number;
  versionId?: string;
}

export interface FileManifest {
  key: string;
  etag: string;
  versionId?: string;
  feed: string;
  batchId: string;
  status: "ingested" | "already-ingested";
  gzip: boolean;
  bytes: number;
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  files: string[];
  quarantineFiles: string[];
  startedAt: string;
  finishedAt: string;
}

export const MANIFEST_PREFIX = "manifests/files/";

/** The batch id of a file version: every chunk name derives from it, so a retry overwrites rather than duplicates. */
export function fileBatchId(object: Pick<LandedObject, "key" | "etag" | "versionId">): string {
  return createHash("sha256").update(`${object.key}\n${object.versionId ?? object.etag}`).digest("hex").slice(0, 20);
}

/**
 * @example
 * const manifest = await ingestFile(ports, { key: "landing/lab_results/a.csv", etag, size });
 * manifest.rowsRead === manifest.rowsLanded + manifest.rowsQuarantined; // always
 */
export async function ingestFile(ports: Ports, object: LandedObject, onProgress?: (rows: number) => void): Promise<FileManifest> {
  const feed = feedOfKey(ports.config, object.key);
  const startedAt = new Date().toISOString();
  const batchId = fileBatchId(object);
  const manifestKey = `${MANIFEST_PREFIX}${feed.name}/${batchId}.json`;
  const base = { key: object.key, etag: object.etag, versionId: object.versionId, feed: feed.name, batchId, bytes: object.size };
  if ((await claimFile(ports, object.key, object.etag)) === "done") {
    const empty = { gzip: false, rowsRead: 0, rowsLanded: 0, rowsQuarantined: 0, files: [], quarantineFiles: [] };
    return { ...base, ...empty, status: "already-ingested", startedAt, finishedAt: new Date().toISOString() };
  }

  const dataset = datasetNamed(ports.config, feed.name);
  const validate = compileRowValidator(dataset, { unknownFields: feed.format.type === "csv" ? "reject" : "ignore" });
  const batch = new IngestBatch(ports, batchId);
  const decoded = await decodeStream(await ports.lake.getStream(object.key));
  let rowsRead = 0;
  try {
    for await (const item of readRows(decoded.stream, feed.format)) {
      rowsRead += 1;
      const origin = `${object.key}:${item.rowNumber}`;
      const recordId = `${batchId}:${item.rowNumber}`;
      if ("problem" in item) {
        await batch.quarantine(dataset, { recordId, reason: item.problem, origin, raw: item.raw });
      } else {
        const checked = validate(item.record);
        if (checked.ok) {
          await batch.land(dataset, checked.row, { _record_id: recordId, _file: object.key, _row_number: BigInt(item.rowNumber) });
        } else {
          await batch.quarantine(dataset, { recordId, reason: describeProblems(checked.problems), origin, raw: item.raw });
        }
      }
      if (onProgress && rowsRead % 10_000 === 0) onProgress(rowsRead);
    }
  } catch (error) {
    // Never a partial load: chunks already flushed are removed and nothing is announced. The ledger stays
    // in_progress, so a redelivery tries again, and after maxReceiveCount the message waits in the DLQ.
    await batch.abort();
    throw new UnreadableFileError(object.key, (error as Error).message, { cause: error });
  }
  const outcome = await batch.close();
  const landed = outcome.datasets.find((d) => d.dataset === dataset.name);
  const manifest: FileManifest = {
    ...base,
    status: "ingested",
    gzip: decoded.gzip,
    rowsRead,
    rowsLanded: outcome.landed,
    rowsQuarantined: outcome.quarantined,
    files: landed?.files ?? [],
    quarantineFiles: landed?.quarantineFiles ?? [],
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  await ports.lake.put(manifestKey, JSON.stringify(manifest, null, 2), { contentType: "application/json" });
  await completeFile(ports, object.key, object.etag, manifestKey);
  onProgress?.(rowsRead);
  return manifest;
}
