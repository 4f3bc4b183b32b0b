/**
 * One poll of one SQL Server source, whatever `ChangeSource` it reads: take the source's lease (never two polls
 * at once), fix the window's upper bound (the source's max LSN now), then for each table run or continue its
 * snapshot and stream its changes up to that bound. A table that fails does not stop the others; the poll
 * reports every table and the caller fails loudly if any failed.
 */
import { datasetNamed, type SqlServerSource, type TributaryConfig } from "../config";
import type { Ports } from "../platform";
import type { ChangeSource } from "./change-source";
import { CdcError, RetentionGapError } from "./errors";
import { acquireLease } from "./lease";
import { advanceOffset, loadOffset, type TableOffset } from "./offsets";
import { snapshotTable } from "./snapshot-table";
import { streamTable } from "./stream-table";
import { emptyReport, type PollProgress, type TableContext, type TableReport } from "./table-poll";

export interface PollOptions {
  /** Epoch ms by which the poll must have stopped starting new batches; default 4 minutes from now. */
  deadline?: number;
  /** Dataset names of the tables to poll; default every table of the source. */
  tables?: string[];
  onProgress?: (progress: PollProgress) => void;
  now?: () => number;
  /**
   * Read each streaming batch while the one before it lands (default true; at most one batch ahead, offsets still
   * commit in order). `false` reads a batch only after the previous one committed: for measuring what the overlap
   * gains, and for debugging.
   */
  prefetch?: boolean;
}

export interface PollReport {
  source: string;
  upperLsn?: string;
  tables: TableReport[];
  startedAt: string;
  durationMs: number;
}

const DEFAULT_BUDGET_MS = 4 * 60_000;
/** The lease outlives the deadline by this much, so a poll finishing its last batch keeps it. */
const LEASE_MARGIN_MS = 60_000;

/** The source called `name`, or a clear error listing the declared ones. */
export function sourceNamed(config: TributaryConfig, name: string): SqlServerSource {
  const source = config.sources.find((s) => s.name === name);
  if (!source) throw new CdcError(`cdc: no source named "${name}" (declared: ${config.sources.map((s) => s.name).join(", ") || "none"})`);
  return source;
}

/**
 * The source's tables named in `names` (all of them when undefined), or a clear error naming the unknown ones.
 *
 * @example tablesNamed(source, ["orders"]).map((t) => t.table) // ["dbo.orders"]
 */
export function tablesNamed(source: SqlServerSource, names: string[] | undefined): SqlServerSource["tables"] {
  const unknown = (names ?? []).filter((t) => !source.tables.some((s) => s.name === t));
  if (unknown.length > 0) throw new CdcError(`cdc: source ${source.name} has no table ${unknown.join(", ")} (declared: ${source.tables.map((t) => t.name).join(", ")})`);
  return source.tables.filter((t) => !names || names.includes(t.name));
}

/**
 * @example
 * const report = await pollSource(ports, "backend", changes, { deadline: Date.now() + 60_000 });
 * report.tables.map((t) => `${t.table}: ${t.rowsLanded} rows, lag ${t.lagSeconds}s`);
 */
export async function pollSource(ports: Ports, sourceName: string, changes: ChangeSource, options: PollOptions = {}): Promise<PollReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const source = sourceNamed(ports.config, sourceName);
  const deadline = options.deadline ?? started + DEFAULT_BUDGET_MS;
  const tables = tablesNamed(source, options.tables);

  const lease = await acquireLease(ports, source.name, deadline - started + LEASE_MARGIN_MS, started);
  const reports: TableReport[] = [];
  let upper: string | undefined;
  try {
    upper = await changes.maxLsn();
    if (!upper) {
      throw new CdcError(`cdc: source ${source.name} has no max LSN yet: CDC has recorded nothing (is CDC enabled and the capture job / SQL Server Agent running?)`);
    }
    const latestCommitMicros = await changes.commitTimeOf(upper);
    for (const table of tables) {
      const ctx: TableContext = {
        ports, source, table, changes, upper, latestCommitMicros, deadline, now,
        dataset: datasetNamed(ports.config, table.name),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      };
      reports.push(await pollTable(ctx));
    }
  } finally {
    await lease.release();
  }
  return { source: source.name, upperLsn: upper, tables: reports, startedAt: new Date(started).toISOString(), durationMs: now() - started };
}

/** Snapshot if one is due, then stream; a retention gap fails loudly or re-snapshots, as the source says. */
async function pollTable(ctx: TableContext): Promise<TableReport> {
  const report = emptyReport(ctx.table.name);
  let offset = await loadOffset(ctx.ports, ctx.source.name, ctx.table.name);
  try {
    if (offset.snapshot.status !== "done") offset = await snapshotTable(ctx, offset, report);
    if (offset.snapshot.status === "done") {
      try {
        offset = await streamTable(ctx, offset, report);
      } catch (error) {
        if (!(error instanceof RetentionGapError)) throw error;
        if (ctx.source.onRetentionGap !== "resnapshot") {
          report.retentionGap = { offsetLsn: error.offsetLsn, minLsn: error.minLsn, action: "failed" };
          throw error;
        }
        report.retentionGap = { offsetLsn: error.offsetLsn, minLsn: error.minLsn, action: "resnapshot" };
        const latest = await loadOffset(ctx.ports, ctx.source.name, ctx.table.name);
        offset = await requestSnapshot(ctx.ports, latest, "retention-gap", true);
        offset = await snapshotTable(ctx, offset, report);
        if (offset.snapshot.status === "done") offset = await streamTable(ctx, offset, report);
      }
    }
  } catch (error) {
    report.error = (error as Error).message;
    // Recorded on the offset for `cdc status`; conditional like every write, so a concurrent poll wins.
    const latest = await loadOffset(ctx.ports, ctx.source.name, ctx.table.name);
    await advanceOffset(ctx.ports, latest, { ...latest, lastError: report.error, lastPollAt: new Date(ctx.now()).toISOString() }).catch(() => undefined);
    offset = latest;
  }
  report.snapshotStatus = offset.snapshot.status;
  return report;
}

/**
 * Marks a table for a fresh snapshot, taken by the next poll. `resetsStream` moves streaming to the snapshot
 * LSN when it completes (after a retention gap); otherwise streaming keeps its offset and the snapshot only adds
 * rows (an on-demand re-snapshot: changes between the old offset and the snapshot are still delivered).
 *
 * @example await requestSnapshot(ports, await loadOffset(ports, "backend", "orders"), "requested", false);
 */
export async function requestSnapshot(ports: Ports, offset: TableOffset, reason: string, resetsStream: boolean): Promise<TableOffset> {
  return advanceOffset(ports, offset, { ...offset, snapshot: { status: "pending", reason, rows: 0, resetsStream: resetsStream || !offset.resume } });
}
