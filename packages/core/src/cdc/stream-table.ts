/**
 * Streaming one table's changes: every poll reads from the stored position up to the poll's upper bound
 * (the source's max LSN when the poll began), in bounded batches. Before each read the position is checked
 * against the capture instance's min LSN (retention), and a newer capture instance (a schema change) takes over
 * once the old one is read up to its start. Each batch is landed durably, then the offset advances with a
 * conditional write. An empty window still advances the offset to the upper bound (a heartbeat), so a quiet
 * table never falls behind CDC cleanup. The next batch is read while the current one lands (one batch ahead), and
 * the source still sees one call at a time: landing and committing never touch it.
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

/** One read of the stream: the rows past the resume position, and where the stream goes after them. */
interface StreamRead {
  instance: CaptureInstance;
  from: ReadFrom;
  skip: number;
  /** Rows to land: read from `instance`, before any newer instance's start. */
  rows: ChangeRow[];
  /** The resume once `rows` are landed. */
  next: Resume;
  /** The capture instance the offset names once `rows` are landed. */
  nextInstance: string;
  undeclaredColumns: string[];
  switched?: { from: string; to: string };
}

/**
 * Streams the table from its offset up to `ctx.upper`; returns the offset. Throws RetentionGapError when the
 * position is older than the capture instance's min LSN (the caller decides between failing and a re-snapshot).
 *
 * While a batch lands and its offset commits, the next batch is already being read (at most one ahead, from the
 * resume the landing batch will commit): reading is the source's time (network with SQL Server) and landing is
 * ours, so they overlap. Batches still land and commit strictly in order; when a landing or commit fails, the
 * batch read ahead is discarded, never landed, and a failed read ahead surfaces only after the batch before it
 * has committed.
 *
 * @example offset = await streamTable(ctx, offset, report); // report.caughtUp, report.lagSeconds
 */
export async function streamTable(ctx: TableContext, start: TableOffset, report: TableReport): Promise<TableOffset> {
  const { ports, source, table } = ctx;
  let offset = start;
  report.caughtUp = false;
  let lastCommit: bigint | undefined;
  let ahead: Promise<Settled<StreamRead>> | undefined =
    offset.resume && ctx.now() < ctx.deadline ? settled(readStream(ctx, offset.resume, offset.captureInstance)) : undefined;
  try {
    while (ahead) {
      const outcome = await ahead;
      ahead = undefined;
      if ("error" in outcome) throw outcome.error;
      const read = outcome.value;
      const caughtUp = read.next.kind === "after";
      // The next read starts now, from where this batch ends; it lands only after this batch's offset commit.
      if (!caughtUp && ctx.prefetch !== false && ctx.now() < ctx.deadline) ahead = settled(readStream(ctx, read.next, read.nextInstance));
      report.captureInstance = read.instance.name;
      report.undeclaredColumns = read.undeclaredColumns;

      if (read.rows.length > 0) {
        const landed = await landBatch(ctx, read.instance, read.from, read.skip, read.rows);
        report.rowsLanded += landed.landed;
        report.rowsQuarantined += landed.quarantined;
        report.batches += 1;
        lastCommit = read.rows.at(-1)!.commitMicros;
        offset = { ...offset, rowsLanded: offset.rowsLanded + landed.landed, rowsQuarantined: offset.rowsQuarantined + landed.quarantined };
        offset.lastChangeCommitAt = new Date(Number(lastCommit / 1000n)).toISOString();
      } else if (!read.switched) {
        report.heartbeat = true;
      }
      if (read.switched) report.switchedCaptureInstance = read.switched;

      const lagSeconds = lagSecondsOf(caughtUp, ctx.latestCommitMicros, lastCommit);
      offset = await advanceOffset(ports, offset, {
        ...offset,
        resume: read.next,
        captureInstance: read.nextInstance,
        undeclaredColumns: read.undeclaredColumns,
        lastPollAt: new Date(ctx.now()).toISOString(),
        ...(lagSeconds === undefined ? {} : { lagSeconds }),
        lastError: undefined,
      });
      report.caughtUp = caughtUp;
      if (lagSeconds !== undefined) report.lagSeconds = lagSeconds;
      ctx.onProgress?.({ source: source.name, table: table.name, phase: "stream", rows: report.rowsLanded + report.rowsQuarantined });
      if (caughtUp || ctx.now() >= ctx.deadline) break; // out of time: a batch read ahead is dropped, not landed
      ahead ??= settled(readStream(ctx, read.next, read.nextInstance));
    }
  } finally {
    // Never leave a read running behind the poll (the caller may close the source); its result or error is moot.
    if (ahead) await ahead;
  }
  return offset;
}

type Settled<T> = { value: T } | { error: unknown };

/** A promise that never rejects: a read ahead may fail while nobody awaits it yet, which must not count as unhandled. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ value }), (error: unknown) => ({ error }));
}

/**
 * Reads the batch that starts at `resume`: picks the capture instance covering it, checks retention, reads up to
 * `ctx.upper`, and works out where the stream resumes after the batch. Reads only; nothing is landed or committed.
 */
async function readStream(ctx: TableContext, resume: Resume, offsetInstance: string | undefined): Promise<StreamRead> {
  const { source, table, dataset, changes } = ctx;
  const lower = await lowerLsnOf(ctx, resume);
  const instances = await changes.captureInstances(table.table);
  const instance = instanceCovering(instances, lower) ?? instances[0];
  if (!instance) throw new NoCaptureInstanceError(table.table, offsetInstance);
  const newer = instances.find((i) => compareLsn(i.startLsn, instance.startLsn) > 0);
  const undeclaredColumns = undeclaredColumnsOf(instance, dataset);

  const minLsn = await changes.minLsn(instance.name);
  if (compareLsn(lower, minLsn) < 0) throw new RetentionGapError(source.name, table.name, instance.name, lower, minLsn);

  const from: ReadFrom = resume.kind === "inside" ? resume.position : { lsn: lower };
  const skip = resume.kind === "inside" ? resume.serial : 0;
  const read = await changes.readChanges(instance, { from, to: ctx.upper, limit: source.batchSize + skip });
  const complete = read.length < source.batchSize + skip; // everything up to `upper` was returned
  const all = read.slice(skipCount(read, resume, skip));
  // Changes from the newer instance's start on are read from it (it also captures the new columns).
  const rows = newer ? all.filter((r) => compareLsn(r.lsn, newer.startLsn) < 0) : all;
  const reachedNewer = newer !== undefined && (rows.length < all.length || (complete && compareLsn(ctx.upper, newer.startLsn) >= 0));

  if (reachedNewer) {
    return { instance, from, skip, rows, undeclaredColumns, next: { kind: "from", lsn: newer.startLsn }, nextInstance: newer.name, switched: { from: instance.name, to: newer.name } };
  }
  if (complete) return { instance, from, skip, rows, undeclaredColumns, next: { kind: "after", lsn: ctx.upper }, nextInstance: instance.name };
  const last = rows.at(-1)!;
  const tied = rows.filter((r) => samePosition(r, last)).length;
  const carried = resume.kind === "inside" && samePosition(resume.position, last) && tied === rows.length ? resume.serial : 0;
  return { instance, from, skip, rows, undeclaredColumns, next: { kind: "inside", position: positionOf(last), serial: carried + tied }, nextInstance: instance.name };
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
