/**
 * What `tributary cdc status` shows: one line per table with where its offset stands, how far behind the
 * source it was at its last poll, its snapshot, and anything wrong (the last error, schema drift).
 */
import type { TableOffset } from "./offsets";

export interface OffsetStatus {
  source: string;
  table: string;
  captureInstance: string;
  position: string;
  snapshot: string;
  /** The snapshot's state as data, for progress bars (`snapshot` is the same for people). */
  snapshotStatus: "pending" | "running" | "done";
  snapshotRows: number;
  snapshotTotalRows: number | null;
  lagSeconds: number | null;
  lastPoll: string;
  polledSecondsAgo: number | null;
  rowsLanded: number;
  rowsQuarantined: number;
  problems: string;
}

/**
 * @example describeOffset(offset, Date.now()) // { table: "orders", position: "after 0000002A000001F00003", lagSeconds: 0, … }
 */
export function describeOffset(offset: TableOffset, now: number): OffsetStatus {
  const resume = offset.resume;
  const position = !resume
    ? "(not streaming yet)"
    : resume.kind === "inside"
      ? `inside ${resume.position.lsn}/${resume.position.seqval}/${resume.position.op} (+${resume.serial})`
      : `${resume.kind} ${resume.lsn}`;
  const s = offset.snapshot;
  const snapshot = s.status === "done" ? `done (${s.rows} rows, ${s.reason})` : `${s.status}: ${s.rows}${s.totalRows === undefined ? "" : `/${s.totalRows}`} rows (${s.reason})`;
  const problems = [
    ...(offset.lastError ? [offset.lastError] : []),
    ...(offset.undeclaredColumns?.length ? [`undeclared columns not landed: ${offset.undeclaredColumns.join(", ")}`] : []),
  ].join("; ");
  return {
    source: offset.source,
    table: offset.table,
    captureInstance: offset.captureInstance ?? "",
    position,
    snapshot,
    snapshotStatus: s.status,
    snapshotRows: s.rows,
    snapshotTotalRows: s.totalRows ?? null,
    lagSeconds: offset.lagSeconds ?? null,
    lastPoll: offset.lastPollAt ?? "never",
    polledSecondsAgo: offset.lastPollAt ? Math.round((now - Date.parse(offset.lastPollAt)) / 1000) : null,
    rowsLanded: offset.rowsLanded,
    rowsQuarantined: offset.rowsQuarantined,
    problems,
  };
}
