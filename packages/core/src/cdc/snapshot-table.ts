/**
 * The snapshot of one table: the source's max LSN is recorded first, then the current rows are read in
 * primary-key keyset pages (bounded), each page landed in bronze as `_op = snapshot` rows stamped with that LSN
 * before the offset records the page's last key. An interrupted snapshot resumes at its last key. When it
 * completes, streaming starts at the snapshot LSN (inclusive), so no change between the snapshot and the stream
 * is missed; a change seen by both is harmless (silver keeps the latest by LSN).
 */
import { IngestBatch } from "../ingest";
import { ChangeLander } from "./change-rows";
import { advanceOffset, type TableOffset } from "./offsets";
import { cdcBatchId, type TableContext, type TableReport } from "./table-poll";
import { compareLsn } from "./lsn";

/**
 * Runs (or continues) the table's snapshot until it completes or the deadline passes; returns the offset.
 *
 * @example offset = await snapshotTable(ctx, offset, report); // offset.snapshot.status === "done" unless out of time
 */
export async function snapshotTable(ctx: TableContext, start: TableOffset, report: TableReport): Promise<TableOffset> {
  const { ports, source, table, dataset, changes } = ctx;
  let offset = start;
  if (offset.snapshot.status === "pending") {
    const totalRows = changes.countRows ? await changes.countRows(table.table) : undefined;
    offset = await advanceOffset(ports, offset, {
      ...offset,
      snapshot: { ...offset.snapshot, status: "running", lsn: ctx.upper, afterKey: undefined, rows: 0, totalRows, startedAt: new Date(ctx.now()).toISOString() },
    });
  }
  const snapshotLsn = offset.snapshot.lsn!;
  const commitMicros = (await changes.commitTimeOf(snapshotLsn)) ?? null;
  const primaryKey = table.primaryKey;
  const totalRows = offset.snapshot.totalRows;
  while (ctx.now() < ctx.deadline) {
    const after = offset.snapshot.afterKey;
    const rows = await changes.snapshotPage(table.table, { primaryKey, after, limit: source.batchSize });
    if (rows.length > 0) {
      const batch = new IngestBatch(ports, cdcBatchId([source.name, table.name, "snapshot", snapshotLsn, after ?? null]));
      const lander = new ChangeLander(batch, dataset);
      let lastKey: unknown[] = [];
      try {
        for (const row of rows) {
          lastKey = primaryKey.map((k) => row[k] ?? null);
          await lander.landSnapshotRow(row, lastKey, snapshotLsn, commitMicros);
        }
        await batch.close();
      } catch (error) {
        await batch.abort();
        throw error;
      }
      report.snapshotRows += rows.length;
      report.rowsLanded += lander.counts.landed;
      report.rowsQuarantined += lander.counts.quarantined;
      report.batches += 1;
      offset = await advanceOffset(ports, offset, {
        ...offset,
        snapshot: { ...offset.snapshot, afterKey: lastKey, rows: offset.snapshot.rows + rows.length },
        rowsLanded: offset.rowsLanded + lander.counts.landed,
        rowsQuarantined: offset.rowsQuarantined + lander.counts.quarantined,
      });
      ctx.onProgress?.({ source: source.name, table: table.name, phase: "snapshot", rows: offset.snapshot.rows, ...(totalRows === undefined ? {} : { totalRows }) });
    }
    if (rows.length < source.batchSize) return completeSnapshot(ctx, offset, snapshotLsn);
  }
  return offset;
}

async function completeSnapshot(ctx: TableContext, offset: TableOffset, snapshotLsn: string): Promise<TableOffset> {
  const snapshot = { ...offset.snapshot, status: "done" as const, completedAt: new Date(ctx.now()).toISOString() };
  if (!offset.snapshot.resetsStream && offset.resume) return advanceOffset(ctx.ports, offset, { ...offset, snapshot });
  // Streaming starts at the snapshot LSN, from the newest capture instance that already covers it.
  const instances = await ctx.changes.captureInstances(ctx.table.table);
  const covering = instances.filter((i) => compareLsn(i.startLsn, snapshotLsn) <= 0).at(-1) ?? instances[0];
  return advanceOffset(ctx.ports, offset, {
    ...offset,
    snapshot,
    resume: { kind: "from", lsn: snapshotLsn },
    ...(covering ? { captureInstance: covering.name } : {}),
  });
}
