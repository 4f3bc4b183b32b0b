/**
 * What either ingestion path (DuckDB or streaming) hands back to `ingestFile` for the manifest, and how both
 * report a failure: never a partial load — what was stored is removed — and the same errors whichever path ran.
 */
import type { Dataset, Feed } from "../config";
import type { LakeStore } from "../lake";
import { RejectedFileError, UnreadableContentError, UnreadableFileError } from "./errors";

/** One landed object, its feed and dataset, and the batch id its chunk names derive from. */
export interface FileToIngest {
  key: string;
  size: number;
  feed: Feed;
  dataset: Dataset;
  batchId: string;
}

export interface LandedFile {
  gzip: boolean;
  /** Bytes of the object read (as stored). */
  bytes: number;
  /** Bytes of content after gunzip. */
  contentBytes: number;
  sha256: string;
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  /** Bronze and quarantine keys, each in key order. */
  files: string[];
  quarantineFiles: string[];
  /** When reading (and, on the DuckDB path, writing the local Parquet) was done; storing and announcing follow. */
  readDone: number;
}

/**
 * The error a failed ingestion is reported with: a refused file as it is (answered once by `ingestNotification`),
 * anything else as `UnreadableFileError` naming the key (retried, then parked in the DLQ).
 *
 * @example throw ingestionError("landing/lab_results/a.csv.gz", new UnreadableContentError("unexpected end of file"))
 */
export function ingestionError(key: string, error: unknown): Error {
  if (error instanceof RejectedFileError) return error;
  const reason = error instanceof UnreadableContentError ? error.reason : (error as Error).message;
  return new UnreadableFileError(key, reason, { cause: error });
}

/**
 * Removes objects a failed ingestion had stored, so bronze never holds part of a file.
 *
 * @example await removeStored(lake, ["restricted/bronze/files/lab_results/dt=…/part-….parquet"], key, error)
 */
export async function removeStored(lake: LakeStore, keys: readonly string[], key: string, cause: unknown): Promise<void> {
  try {
    for (const stored of keys) await lake.delete(stored);
  } catch (deleteError) {
    throw new UnreadableFileError(
      key,
      `${(cause as Error).message}; removing the chunks it had written failed too (${(deleteError as Error).message}), so bronze may hold part of it`,
      { cause },
    );
  }
}
