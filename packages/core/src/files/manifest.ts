/**
 * The manifest of one ingested file version — what was read, what landed, what was quarantined, where, and how
 * long it took — stored at `manifests/files/<feed>/<batchId>.json` and announced on the bus as `file.ingested`.
 */
import type { BusEvent } from "../platform";
import { EVENT_SOURCE } from "../wiring";

export const MANIFEST_PREFIX = "manifests/files/";
export const FILE_INGESTED = "file.ingested";

/** EventBridge takes entries up to 256 KB: past this, the event leaves out the chunk lists (the manifest has them). */
const MAX_EVENT_DETAIL_BYTES = 200_000;

export interface FileManifest {
  key: string;
  etag: string;
  versionId?: string;
  feed: string;
  batchId: string;
  status: "ingested" | "already-ingested";
  format: "csv" | "jsonl" | "parquet";
  /** Which path read the file (see `ingest-engine.ts`). */
  engine: "duckdb" | "streaming";
  /** Why a file meant for the DuckDB path was read by the streaming path instead (DuckDB read it differently). */
  engineFallback?: string;
  gzip: boolean;
  /** Bytes of the object actually read (as stored: compressed for gzip); 0 when nothing was read. */
  bytes: number;
  /** Bytes of content after gunzip (equal to `bytes` when the file is not gzip). */
  contentBytes: number;
  /** SHA-256 (hex) of the stored bytes; null when nothing was read. */
  sha256: string | null;
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  files: string[];
  quarantineFiles: string[];
  startedAt: string;
  finishedAt: string;
  timings: {
    /** Reading, validating and writing full chunks. */
    readMs: number;
    /** Flushing the last chunks and announcing `record.ingested`. */
    closeMs: number;
    totalMs: number;
  };
}

/**
 * Where the manifest of a file version lives.
 *
 * @example manifestKeyOf("lab_results", "3f1c0b7e9a2d4c5e6f70") // "manifests/files/lab_results/3f1c0b7e9a2d4c5e6f70.json"
 */
export function manifestKeyOf(feed: string, batchId: string): string {
  return `${MANIFEST_PREFIX}${feed}/${batchId}.json`;
}

/**
 * The `file.ingested` event: the manifest and where it is stored; the chunk lists are left out (with their
 * counts kept) when they would make the event too large.
 *
 * @example await ports.bus.put([fileIngestedEvent(manifest)]);
 */
export function fileIngestedEvent(manifest: FileManifest): BusEvent {
  const detail: Record<string, unknown> = { ...manifest, manifestKey: manifestKeyOf(manifest.feed, manifest.batchId) };
  if (JSON.stringify(detail).length > MAX_EVENT_DETAIL_BYTES) {
    const { files, quarantineFiles, ...rest } = detail as unknown as FileManifest & { manifestKey: string };
    return {
      source: EVENT_SOURCE,
      detailType: FILE_INGESTED,
      detail: { ...rest, fileCount: files.length, quarantineFileCount: quarantineFiles.length, chunkListsOmitted: true },
    };
  }
  return { source: EVENT_SOURCE, detailType: FILE_INGESTED, detail };
}
