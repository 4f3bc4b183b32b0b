/**
 * Streaming one table's changes: every poll reads from the stored position up to the poll's upper bound
 * (the source's max LSN when the poll began), in bounded batches. Before each read the position is checked
 * against the capture instance's min LSN (retention), and a newer capture instance (a schema change) takes over
 * once the old one is read up to its start. Each batch is landed durably, then the offset advances with a
 * conditional write. An empty window still advances the offset to the upper bound (a heartbeat), so a quiet
 * table never falls behind CDC cleanup.
 */
import { IngestBatch } from "../ingest";
import type { CaptureInstance, ChangePosition, ChangeRow, ReadFrom } from "./change-source";
import { ChangeLander } from "./change-rows";
import { NoCaptureInstanceError, RetentionGapError } from "./errors";
import { compareLsn } from "./lsn";
import { advanceOffset, type Resume, type TableOffset } from "./offsets";
import { cdcBatchId, lagSecondsOf, undeclaredColumnsOf, type TableContext, type TableReport } from "./table-poll";

const samePosition = (a: ChangePosition, b: ChangePosition) =>
  a.lsn === b.lsn && a.commandId === b.commandId && a.seqval === b.seqval && a.op === b.op;

/** The first LSN the next read may return. */
async function lowerLsnOf(ctx: TableContext, resume: Resume): Promise<string> {
  if (resume.kind === "after") return ctx.changes.incrementLsn(resume.lsn);
  return resume.kind === "from" ? resume.lsn : resume.position.lsn;
}

/** The newest capture instance that started at or before `lsn` (it holds every change from there on). */
function instanceCovering(instances: CaptureInstance[], lsn: string): CaptureInstance | undefined {
  return instances.filter((i) => compareLsn(i.startLsn, lsn) <= 0).at(-1);
}

/**
 * Streams the table from its offset up to `ctx.upper`; returns the offset. Throws RetentionGapError when the
 * position is older than the capture instance's min LSN (the caller decides between failing and a re-snapshot).
 *
 * @example offset = await streamTable(ctx, offset, report); // report.caughtUp, report.lagSeconds
 */
export async function streamTable(ctx: TableContext, start: TableOffset, report: TableReport): Promise<TableOffset> {
  const { ports, source, table, dataset, changes } = ctx;
  let offset = start;
  report.caughtUp = false;
  let lastCommit: bigint | undefined;
  while (offset.resume && ctx.now() < ctx.deadline) {
    const resume = offset.resume;
    const lower = await lowerLsnOf(ctx, resume);
    const instances = await changes.captureInstances(table.table);
    const instance = instanceCovering(instances, lower) ?? instances[0];
    if (!instance) throw new NoCaptureInstanceError(table.table, offset.captureInstance);
    const newer = instances.find((i) => compareLsn(i.startLsn, instance.startLsn) > 0);
    report.captureInstance = instance.name;
    report.undeclaredColumns = undeclaredColumnsOf(instance, dataset);

    const minLsn = await changes.minLsn(instance.name);
    if (compareLsn(lower, minLsn) < 0) throw new RetentionGapError(source.name, table.name, instance.name, lower, minLsn);

    const from: ReadFrom = resume.kind === "inside" ? resume.position : { lsn: lower };
    const skip = resume.kind === "inside" ? resume.serial : 0;
    const read = await changes.readChanges(instance, { from, to: ctx.upper, limit: source.batchSize + skip });
    const complete = read.length < source.batchSize + skip; // everything up to `upper` was returned
    const rows = read.slice(skipCount(read, resume, skip));
    // Changes from the newer instance's start on are read from it (it also captures the new columns).
    const beforeNewer = newer ? rows.filter((r) => compareLsn(r.lsn, newer.startLsn) < 0) : rows;
    const reachedNewer = newer !== undefined && (beforeNewer.length < rows.length || (complete && compareLsn(ctx.upper, newer.startLsn) >= 0));

    if (beforeNewer.length > 0) {
      const landed = await landBatch(ctx, instance, from, skip, beforeNewer);
      report.rowsLanded += landed.landed;
      report.rowsQuarantined += landed.quarantined;
      report.batches += 1;
      lastCommit = beforeNewer.at(-1)!.commitMicros;
      offset = { ...offset, rowsLanded: offset.rowsLanded + landed.landed, rowsQuarantined: offset.rowsQuarantined + landed.quarantined };
      offset.lastChangeCommitAt = new Date(Number(lastCommit / 1000n)).toISOString();
    } else if (!reachedNewer) {
      report.heartbeat = true;
    }

    let next: Resume;
    let captureInstance = instance.name;
    if (reachedNewer) {
      next = { kind: "from", lsn: newer.startLsn };
      captureInstance = newer.name;
      report.switchedCaptureInstance = { from: instance.name, to: newer.name };
    } else if (complete) {
      next = { kind: "after", lsn: ctx.upper };
    } else {
      const last = beforeNewer.at(-1)!;
      const tied = beforeNewer.filter((r) => samePosition(r, last)).length;
      const carried = resume.kind === "inside" && samePosition(resume.position, last) && tied === beforeNewer.length ? resume.serial : 0;
      next = { kind: "inside", position: positionOf(last), serial: carried + tied };
    }
    const caughtUp = next.kind === "after";
    const lagSeconds = lagSecondsOf(caughtUp, ctx.latestCommitMicros, lastCommit);
    offset = await advanceOffset(ports, offset, {
      ...offset,
      resume: next,
      captureInstance,
      undeclaredColumns: report.undeclaredColumns,
      lastPollAt: new Date(ctx.now()).toISOString(),
      ...(lagSeconds === undefined ? {} : { lagSeconds }),
      lastError: undefined,
    });
    report.caughtUp = caughtUp;
    if (lagSeconds !== undefined) report.lagSeconds = lagSeconds;
    ctx.onProgress?.({ source: source.name, table: table.name, phase: "stream", rows: report.rowsLanded + report.rowsQuarantined });
    if (caughtUp) break;
  }
  return offset;
}

/** How many leading rows were already landed: at most `skip` rows sitting exactly at the resume position. */
function skipCount(read: ChangeRow[], resume: Resume, skip: number): number {
  if (resume.kind !== "inside") return 0;
  let n = 0;
  while (n < skip && n < read.length && samePosition(read[n]!, resume.position)) n += 1;
  return n;
}

const positionOf = (r: ChangeRow): ChangePosition => ({ lsn: r.lsn, commandId: r.commandId, seqval: r.seqval, op: r.op });

async function landBatch(ctx: TableContext, instance: CaptureInstance, from: ReadFrom, skip: number, rows: ChangeRow[]) {
  const batch = new IngestBatch(ctx.ports, cdcBatchId([ctx.source.name, ctx.table.name, "stream", instance.name, from, skip]));
  const lander = new ChangeLander(batch, ctx.dataset);
  try {
    for (const row of rows) await lander.landChange(row);
    await batch.close(); // durable before the offset moves (at-least-once)
  } catch (error) {
    await batch.abort();
    throw error;
  }
  return lander.counts;
}
