/**
 * What one poll of one table works with and reports. The poll of a table runs in steps (snapshot pages,
 * streaming batches), each landing bronze durably before the offset advances.
 */
import { createHash } from "node:crypto";
import type { Dataset, SqlServerSource, SqlServerTable } from "../config";
import type { Ports } from "../platform";
import type { CaptureInstance, ChangeSource } from "./change-source";

export interface PollProgress {
  source: string;
  table: string;
  phase: "snapshot" | "stream";
  /** Rows landed or quarantined by this poll for the table so far. */
  rows: number;
  /** Rows in the table, when known (snapshots). */
  totalRows?: number;
}

export interface TableContext {
  ports: Ports;
  source: SqlServerSource;
  table: SqlServerTable;
  dataset: Dataset;
  changes: ChangeSource;
  /** Upper bound of this poll's window: the source's max LSN when the poll started. */
  upper: string;
  /** Commit time of `upper` (micros), for the lag. */
  latestCommitMicros: bigint | undefined;
  /** Epoch ms after which no new batch or page starts. */
  deadline: number;
  now(): number;
  /** Read the next streaming batch while the current one lands (default true); see `PollOptions.prefetch`. */
  prefetch?: boolean;
  onProgress?: (progress: PollProgress) => void;
}

export interface TableReport {
  table: string;
  captureInstance?: string;
  snapshotRows: number;
  snapshotStatus: "pending" | "running" | "done";
  rowsLanded: number;
  rowsQuarantined: number;
  batches: number;
  /** True when the offset reached this poll's upper bound. */
  caughtUp: boolean;
  /** True when the window was empty and the offset advanced anyway (the idle heartbeat). */
  heartbeat: boolean;
  lagSeconds?: number;
  switchedCaptureInstance?: { from: string; to: string };
  retentionGap?: { offsetLsn: string; minLsn: string; action: "failed" | "resnapshot" };
  undeclaredColumns: string[];
  error?: string;
}

export function emptyReport(table: string): TableReport {
  return { table, snapshotRows: 0, snapshotStatus: "pending", rowsLanded: 0, rowsQuarantined: 0, batches: 0, caughtUp: false, heartbeat: false, undeclaredColumns: [] };
}

/**
 * A batch id from what determines a batch's content (table, where it starts), so a rerun of the same batch
 * writes the same file names and overwrites instead of duplicating.
 *
 * @example cdcBatchId(["backend", "orders", "stream", "dbo_orders", "0000…"]) // "c-3f1c…" (22 chars)
 */
export function cdcBatchId(parts: unknown[]): string {
  return `c-${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 20)}`;
}

/** Columns the capture instance holds that the dataset does not declare. */
export function undeclaredColumnsOf(instance: CaptureInstance, dataset: Dataset): string[] {
  const declared = new Set(dataset.columns.filter((c) => !c.lineage).map((c) => c.name));
  return instance.columns.map((c) => c.name).filter((c) => !declared.has(c));
}

/** Whole seconds the newest landed change is behind the source's latest commit; 0 when caught up. */
export function lagSecondsOf(caughtUp: boolean, latestCommitMicros: bigint | undefined, lastLandedCommitMicros: bigint | undefined): number | undefined {
  if (caughtUp) return 0;
  if (latestCommitMicros === undefined || lastLandedCommitMicros === undefined) return undefined;
  const lag = Number(latestCommitMicros - lastLandedCommitMicros) / 1e6;
  return Math.max(0, Math.round(lag));
}
