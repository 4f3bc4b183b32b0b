/**
 * How one change (or snapshot) row becomes a bronze record: declared columns validated with the dataset's
 * schema, plus the CDC lineage `_lsn`, `_seqval`, `_op`, `_commit_ts`. A row that fails validation is
 * quarantined with its reason and the raw image — never dropped. Together (table, `_lsn`, `_seqval`, `_op`)
 * identify a change, so a re-landed batch (a poller that crashed before its offset commit) carries exactly the
 * same keys and silver can drop the duplicates.
 */
import { compileRowValidator, describeProblems, type Dataset } from "../config";
import type { IngestBatch } from "../ingest";
import type { ChangeOperation, ChangeRow } from "./change-source";
import { ZERO_LSN } from "./lsn";

/** `_op` values in bronze. Snapshot rows are reads, not changes. */
export const OPERATION_NAMES: Record<ChangeOperation, string> = { 1: "delete", 2: "insert", 3: "update_before", 4: "update_after" };
export const SNAPSHOT_OP = "snapshot";

export interface LandCounts {
  landed: number;
  quarantined: number;
}

/** Lands change rows and snapshot rows of one dataset into an ingestion batch. */
export class ChangeLander {
  private readonly validate: ReturnType<typeof compileRowValidator>;
  readonly counts: LandCounts = { landed: 0, quarantined: 0 };

  constructor(
    private readonly batch: IngestBatch,
    private readonly dataset: Dataset,
  ) {
    // Capture instances may carry columns the config does not declare (a schema change); the poller reports
    // them as drift, and the declared columns still land.
    this.validate = compileRowValidator(dataset, { unknownFields: "ignore" });
  }

  /**
   * @example await lander.landChange({ lsn, commandId: 1, seqval, op: 2, commitMicros, values: { order_id: "7" } });
   */
  async landChange(change: ChangeRow): Promise<void> {
    const op = OPERATION_NAMES[change.op];
    const recordId = `${this.dataset.name}:${change.lsn}:${change.commandId}:${change.seqval}:${change.op}`;
    await this.land(change.values, recordId, { _lsn: change.lsn, _seqval: change.seqval, _op: op, _commit_ts: change.commitMicros });
  }

  /** A snapshot row, stamped with the snapshot's LSN; `key` is its primary key (one snapshot row per key). */
  async landSnapshotRow(values: Record<string, unknown>, key: unknown[], snapshotLsn: string, commitMicros: bigint | null): Promise<void> {
    const recordId = `${this.dataset.name}:${snapshotLsn}:snapshot:${JSON.stringify(key)}`;
    await this.land(values, recordId, { _lsn: snapshotLsn, _seqval: ZERO_LSN, _op: SNAPSHOT_OP, _commit_ts: commitMicros });
  }

  private async land(values: Record<string, unknown>, recordId: string, lineage: { _lsn: string; _seqval: string; _op: string; _commit_ts: bigint | null }): Promise<void> {
    const checked = this.validate(values);
    if (checked.ok) {
      await this.batch.land(this.dataset, checked.row, { _record_id: recordId, ...lineage });
      this.counts.landed += 1;
    } else {
      await this.batch.quarantine(this.dataset, {
        recordId,
        reason: describeProblems(checked.problems),
        origin: `${this.dataset.source}.${this.dataset.name}@${lineage._lsn}/${lineage._seqval}/${lineage._op}`,
        raw: JSON.stringify(values),
      });
      this.counts.quarantined += 1;
    }
  }
}
