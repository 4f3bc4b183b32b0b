/**
 * The CDC path, measured: the wired cdc-poll handler polling the embedded stand-in source (PGlite, in this
 * process) into bronze, as its schedule would invoke it: idle polls (nothing changed), then a small and a large busy
 * poll over inserts and updates of orders (as `npm run bench -- cdc` makes them), then the large poll's change
 * rows only read from the source (what the seeds' poller does before putting them on a stream), then link over
 * its announcements. The offsets start right after a warm-up poll, so no snapshot is measured.
 */
import { datasets, parseConfig } from "../../packages/core/src/config";
import { advanceOffset, EmbeddedChangeSource, embeddedTablesOf, loadOffset, type ChangeSource, type ReadFrom } from "../../packages/core/src/cdc";
import shipped from "../../tributary.config";
import { openEnvironment, type CostEnvironment } from "./environment";
import { MeasurementError } from "./errors";
import { invokeMeasured, measureCall, SampleBuilder } from "./invoke-measured";
import type { MeasuredCdc } from "./measured";
import { measureLink } from "./measure-link";
import { fitWork, type WorkSample } from "./work";

/** Orders of each small busy poll (1,500 change rows, one batch), and how many such polls. */
const SMALL_POLL_ORDERS = 500;
const SMALL_POLLS = 3;

export interface CdcMeasurement {
  measured: MeasuredCdc;
  samples: Record<"idle" | "busy" | "readOnly" | "link", WorkSample[]>;
}

interface PollReport {
  tables: { table: string; rowsLanded: number; rowsQuarantined: number; caughtUp: boolean; error?: string }[];
}

function changeRowsOf(report: unknown): number {
  const tables = (report as PollReport).tables;
  const failed = tables.filter((t) => t.error || !t.caughtUp);
  if (failed.length > 0) throw new MeasurementError(`cost: cdc-poll did not finish: ${JSON.stringify(failed)}`);
  return tables.reduce((n, t) => n + t.rowsLanded + t.rowsQuarantined, 0);
}

async function insertAndUpdateOrders(source: EmbeddedChangeSource, firstId: number, rows: number): Promise<void> {
  const last = firstId + rows - 1;
  await source.db.exec(`INSERT INTO dbo.orders (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at)
    SELECT g, g % 997, 'KIT-' || g, 'P-' || (g % 20), (g % 100000) / 100.0, 'pending', now() - (g || ' seconds')::interval, now()
    FROM generate_series(${firstId}, ${last}) g`);
  await source.db.exec(`UPDATE dbo.orders SET status = 'paid', updated_at = now() WHERE order_id BETWEEN ${firstId} AND ${last}`);
}

/** Reads every change row of orders after `after` in the poller's batch size, as the cdc bench's baseline does. */
async function readChangesOnly(source: ChangeSource, after: string, batchSize: number): Promise<{ rows: number; bytes: number }> {
  const instance = (await source.captureInstances("dbo.orders"))[0]!;
  const upper = (await source.maxLsn())!;
  let from: ReadFrom = { lsn: await source.incrementLsn(after) };
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const batch = await source.readChanges(instance, { from, to: upper, limit: batchSize + 1 });
    const page = rows === 0 ? batch : batch.slice(1); // a later read starts with the previous last row
    rows += page.length;
    for (const row of page) bytes += Buffer.byteLength(JSON.stringify({ ...row, commitMicros: String(row.commitMicros) }));
    if (batch.length < batchSize + 1) break;
    from = batch.at(-1)!;
  }
  return { rows, bytes };
}

async function pollOnce(env: CostEnvironment, sourceName: string): Promise<{ call: Awaited<ReturnType<typeof invokeMeasured>>; rows: number }> {
  const call = await invokeMeasured(env.counting, await env.load("cdc-poll"), { source: sourceName });
  return { call, rows: changeRowsOf(call.result) };
}

/**
 * @example const { measured } = await measureCdc({ rows: 30_000, linkRecords: 3000, log: console.error });
 */
export async function measureCdc(options: { rows: number; linkRecords: number; log: (line: string) => void }): Promise<CdcMeasurement> {
  const config = parseConfig(shipped);
  const sourceDecl = config.sources[0]!;
  const embedded = await EmbeddedChangeSource.open({ tables: embeddedTablesOf(sourceDecl, datasets(config).filter((d) => d.kind === "cdc")) });
  let counted: ChangeSource = embedded;
  const env = await openEnvironment(["cdc_offsets", "link_graph", "realtime_reports"], { changeSources: { open: async () => counted } }, config);
  counted = env.counting.countingSource(embedded);
  try {
    const start = (await embedded.maxLsn())!;
    for (const table of sourceDecl.tables) {
      const fresh = await loadOffset(env.counting.ports, sourceDecl.name, table.name);
      await advanceOffset(env.counting.ports, fresh, { ...fresh, snapshot: { ...fresh.snapshot, status: "done" }, resume: { kind: "after", lsn: start } });
    }
    options.log("  cdc: warm-up poll (not measured)…");
    await insertAndUpdateOrders(embedded, 1, 1000);
    await pollOnce(env, sourceDecl.name);
    env.counting.takeEvents();
    env.counting.reset();

    options.log("  cdc: idle polls…");
    const idle = new SampleBuilder();
    for (let i = 0; i < 3; i += 1) {
      const { call, rows } = await pollOnce(env, sourceDecl.name);
      if (rows !== 0) throw new MeasurementError(`cost: an idle poll landed ${rows} change rows`);
      idle.add(call, 0);
    }
    // A poll that finds changes writes at least one bronze file and announces it, however few the changes: a small
    // busy poll (one batch) and a large one (many) separate that from the cost per change.
    const busy = async (firstId: number, orders: number, polls: number): Promise<WorkSample> => {
      options.log(`  cdc: ${polls} poll(s) of ${3 * orders} change rows…`);
      const sample = new SampleBuilder();
      for (let i = 0; i < polls; i += 1) {
        await insertAndUpdateOrders(embedded, firstId + i * orders, orders);
        const { call, rows } = await pollOnce(env, sourceDecl.name);
        if (rows !== 3 * orders) throw new MeasurementError(`cost: a busy poll landed ${rows} change rows, expected ${3 * orders}`);
        sample.add(call, rows);
      }
      return sample.build();
    };
    // Small polls are short, so a few of them: one alone is at the mercy of a noisy neighbour.
    const smallSample = await busy(1001, SMALL_POLL_ORDERS, SMALL_POLLS);
    env.counting.takeEvents();
    const beforeBusy = (await embedded.maxLsn())!;
    const busySample = await busy(1001 + SMALL_POLLS * SMALL_POLL_ORDERS, options.rows, 1);
    const rows = busySample.items;
    const events = env.counting.takeEvents();

    options.log("  cdc: the same change rows, only read…");
    const read = await measureCall(env.counting, () => readChangesOnly(counted, beforeBusy, sourceDecl.batchSize));
    if (read.result.rows !== rows) throw new MeasurementError(`cost: reading only gave ${read.result.rows} change rows, the poll ${rows}`);
    const readOnly = new SampleBuilder();
    readOnly.add(read, rows);

    options.log("  cdc: link over the announcements…");
    const link = await measureLink(env, events, options.linkRecords);
    const samples = { idle: [idle.build()], busy: [smallSample, busySample], readOnly: [readOnly.build()], link };
    return {
      measured: {
        // From busy polls only: at the volumes priced every poll finds changes (the idle polls are reported beside).
        poll: fitWork(samples.busy),
        readOnly: fitWork(samples.readOnly),
        link: fitWork(link),
        rowsPerChange: 1,
        changeBytes: read.result.bytes / rows,
        bronzeBytesPerChange: busySample.requests.s3BytesWritten / rows,
        tables: sourceDecl.tables.length,
      },
      samples,
    };
  } finally {
    await env.close();
    await embedded.close();
  }
}
