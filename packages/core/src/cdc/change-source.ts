/**
 * The `ChangeSource` port: what the poller needs from a database with change data capture, in SQL Server's
 * terms (LSNs, capture instances, `__$operation`). `SqlServerCdcSource` reads real SQL Server CDC through
 * `mssql`; `EmbeddedChangeSource` is the PGlite stand-in used when no SQL Server is configured. The poller never
 * knows which one it got.
 */

/** SQL Server's `__$operation`: 1 delete, 2 insert, 3 update (before image), 4 update (after image). */
export type ChangeOperation = 1 | 2 | 3 | 4;

/** Where a change sits in the source's total order: (commit LSN, command id, seqval, operation). */
export interface ChangePosition {
  /** Commit LSN of the transaction (`__$start_lsn`), 20 hex digits. */
  lsn: string;
  /** Order of the command inside its transaction (`__$command_id`; 0 where the source has none). */
  commandId: number;
  /** LSN of the change itself inside the transaction (`__$seqval`), 20 hex digits. */
  seqval: string;
  op: ChangeOperation;
}

export interface ChangeRow extends ChangePosition {
  /** Commit time of the transaction, microseconds since the epoch, UTC. */
  commitMicros: bigint;
  /**
   * The row image, keyed by lower-cased column name. Exact types arrive as text (decimal/money as a decimal
   * string, datetime2 as ISO with every fraction digit, binary as hex, uniqueidentifier lower-case), so the
   * dataset's coercers turn them into canonical values without going through JS numbers or Dates.
   */
  values: Record<string, unknown>;
}

export interface CapturedColumn {
  /** Lower-cased column name. */
  name: string;
  /** The source's type name, e.g. `decimal`, `datetime2`, `nvarchar`, `uniqueidentifier`. */
  sqlType: string;
}

export interface CaptureInstance {
  name: string;
  /** `schema.table` of the captured table. */
  table: string;
  /** First LSN the instance holds changes for. */
  startLsn: string;
  columns: CapturedColumn[];
}

/** Lower bound of a read: from an LSN (inclusive), or from a position inside one (inclusive). */
export type ReadFrom = { lsn: string } | ChangePosition;

export interface ReadChangesOptions {
  from: ReadFrom;
  /** Highest LSN to read (inclusive). */
  to: string;
  /** At most this many rows, in position order. */
  limit: number;
}

export interface SnapshotPageOptions {
  /** Lower-cased primary key column names, in key order. */
  primaryKey: string[];
  /** The key of the last row of the previous page (values in `primaryKey` order); undefined for the first page. */
  after?: unknown[];
  limit: number;
}

export interface ChangeSource {
  /** `sqlserver` or `embedded`, for status output. */
  readonly kind: string;
  /** Highest LSN the source has committed (`sys.fn_cdc_get_max_lsn()`), or undefined when CDC has recorded nothing yet. */
  maxLsn(): Promise<string | undefined>;
  /** The commit time of an LSN in microseconds (UTC), or undefined when the source no longer maps it. */
  commitTimeOf(lsn: string): Promise<bigint | undefined>;
  /** The LSN right after `lsn` (`sys.fn_cdc_increment_lsn`). */
  incrementLsn(lsn: string): Promise<string>;
  /** Capture instances of `schema.table`, oldest first (SQL Server allows at most two). */
  captureInstances(table: string): Promise<CaptureInstance[]>;
  /** Lowest LSN still held for a capture instance (`sys.fn_cdc_get_min_lsn`); older changes were cleaned up. */
  minLsn(captureInstance: string): Promise<string>;
  /** Changes of one capture instance from `from` (inclusive) up to `to`, in (lsn, commandId, seqval, op) order. */
  readChanges(instance: CaptureInstance, options: ReadChangesOptions): Promise<ChangeRow[]>;
  /** One keyset page of the table's current rows (keys strictly after `after`), ordered by the primary key. */
  snapshotPage(table: string, options: SnapshotPageOptions): Promise<Record<string, unknown>[]>;
  /** Rows in the table (an estimate is fine), for snapshot progress; optional. */
  countRows?(table: string): Promise<number>;
  close(): Promise<void>;
}
