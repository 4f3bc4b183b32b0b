/**
 * CDC throughput (issue #4): change rows per second from the embedded stand-in source into bronze Parquet, by
 * `pollSource` (read → validate → bronze ZSTD Parquet → record.ingested → conditional offset commits), side by side
 * in the same process with the baseline of only reading the same change rows from the source (`readChanges` in
 * batches, nothing written). `pollSource` runs twice a round: as shipped (the next batch is read while the current
 * one lands) and with `prefetch: false` (each batch read only after the previous one committed), so the overlap's
 * gain is a ratio from the same run. The goal (≥ 50,000 change rows/s) is judged on the shipped poll.
 *
 * The changes: BENCH_CDC_ROWS inserts into orders in one statement, then one UPDATE of every row (a before and an
 * after image each), so 3 × BENCH_CDC_ROWS change rows. Each round polls into a fresh lake and offsets table whose
 * offset starts right before the changes; rounds alternate the two sides.
 *
 * Run: npm run bench -- cdc   (BENCH_CDC_ROWS default 50000, BENCH_ROUNDS default 2, BENCH_CDC_BATCH = the
 * source's batchSize, default the config default 10000, BENCH_CDC_READ_DELAY_MS default 0: every `readChanges`
 * of every side then waits that long on a timer before its rows arrive — no CPU — standing for the network time
 * of a remote SQL Server, which the embedded stand-in does not have)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { advanceOffset, EmbeddedChangeSource, embeddedTablesOf, loadOffset, pollSource, ZERO_LSN, type ChangeSource } from "../packages/core/src/cdc";
import { datasets, parseConfig } from "../packages/core/src/config";
import { startLocalDynamo } from "../packages/core/src/local/dynamo";
import { cdcPorts, withReadChanges } from "../test/cdc/cdc-harness";
import shipped from "../tributary.config";

const ROWS = Number(process.env.BENCH_CDC_ROWS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** The source's batchSize (rows per batch and per bronze write); default the config's default. */
const BATCH = process.env.BENCH_CDC_BATCH ? Number(process.env.BENCH_CDC_BATCH) : undefined;
const READ_DELAY_MS = Number(process.env.BENCH_CDC_READ_DELAY_MS ?? 0);
const GOAL_ROWS_PER_SECOND = 50_000;
const SHIPPED_POLL = "pollSource → bronze Parquet + offsets (prefetch on, as shipped)";

interface Sample {
  side: string;
  rows: number;
  ms: number;
}

export async function benchCdcPoll(): Promise<string> {
  const input = structuredClone(shipped) as unknown as { sources: Record<string, unknown>[] };
  if (BATCH) input.sources[0] = { ...input.sources[0], batchSize: BATCH };
  const config = parseConfig(input);
  const source = config.sources[0]!;
  const changes = await EmbeddedChangeSource.open({ tables: embeddedTablesOf(source, datasets(config).filter((d) => d.kind === "cdc")) });
  const before = (await changes.maxLsn()) ?? ZERO_LSN;
  const started = Date.now();
  await changes.db.exec(`INSERT INTO dbo.orders (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at)
    SELECT g, g % 997, 'KIT-' || g, 'P-' || (g % 20), (g % 100000) / 100.0, 'pending', now() - (g || ' seconds')::interval, now()
    FROM generate_series(1, ${ROWS}) g`);
  await changes.db.exec(`UPDATE dbo.orders SET status = 'paid', updated_at = now()`);
  const changeRows = 3 * ROWS;
  console.error(`  made ${changeRows} change rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const instance = (await changes.captureInstances("dbo.orders"))[0]!;
  const reader = READ_DELAY_MS > 0 ? withReadDelay(changes, READ_DELAY_MS) : changes;

  const samples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const sides = [readOnly, () => poll(true), () => poll(false)];
    // Rotated each round, so no side always runs first (warm-up) or last.
    for (let i = 0; i < sides.length; i += 1) samples.push(await sides[(i + round) % sides.length]!());
  }
  await changes.close();
  return report(samples, changeRows, source.batchSize);

  async function readOnly(): Promise<Sample> {
    const t0 = performance.now();
    const upper = (await changes.maxLsn())!;
    let rows = 0;
    let from: Parameters<typeof changes.readChanges>[1]["from"] = { lsn: await changes.incrementLsn(before) };
    for (;;) {
      const batch = await reader.readChanges(instance, { from, to: upper, limit: source.batchSize + 1 });
      const page = rows === 0 ? batch : batch.slice(1); // the first row of a later read is the previous last
      rows += page.length;
      if (batch.length < source.batchSize + 1) break;
      from = batch.at(-1)!;
    }
    return { side: "read change rows only (baseline)", rows, ms: performance.now() - t0 };
  }

  async function poll(prefetch: boolean): Promise<Sample> {
    const dir = await mkdtemp(join(tmpdir(), "tributary-bench-cdc-"));
    const dynamo = await startLocalDynamo({ tables: [{ name: "cdc_offsets", partitionKey: "pk" }] });
    const ports = cdcPorts(config, dir, dynamo.doc);
    try {
      // The offset starts right before the changes: only streaming is measured, not a snapshot.
      for (const table of source.tables) {
        const fresh = await loadOffset(ports, source.name, table.name);
        await advanceOffset(ports, fresh, { ...fresh, snapshot: { ...fresh.snapshot, status: "done" }, resume: { kind: "after", lsn: before } });
      }
      const t0 = performance.now();
      const result = await pollSource(ports, source.name, reader, { deadline: Date.now() + 30 * 60_000, prefetch });
      const ms = performance.now() - t0;
      const rows = result.tables.reduce((n, t) => n + t.rowsLanded + t.rowsQuarantined, 0);
      if (result.tables.some((t) => t.error || !t.caughtUp)) throw new Error(`bench: poll did not finish: ${JSON.stringify(result.tables)}`);
      return { side: prefetch ? SHIPPED_POLL : "pollSource, prefetch off (read after each commit)", rows, ms };
    } finally {
      await dynamo.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The source with `ms` of waiting (a timer, no CPU) after each `readChanges`, as a remote source's network time. */
function withReadDelay(changes: ChangeSource, ms: number): ChangeSource {
  return withReadChanges(changes, async (_call, run) => {
    const rows = await run();
    await sleep(ms);
    return rows;
  });
}

function report(samples: Sample[], expected: number, batchSize: number): string {
  const sides = [...new Set(samples.map((s) => s.side))];
  const rate = (s: Sample) => (s.rows / s.ms) * 1000;
  const baseline = samples.filter((s) => s.side === sides.find((x) => x.includes("baseline")));
  const baseRate = baseline.reduce((n, s) => n + rate(s), 0) / baseline.length;
  const lines = [
    `Machine: ${cpus().length} vCPU ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ` +
      `${expected} change rows (inserts, update before/after images) of orders, batch size ${batchSize}, ${ROUNDS} rounds, sides rotated` +
      `${READ_DELAY_MS > 0 ? `, ${READ_DELAY_MS} ms simulated network time per read (BENCH_CDC_READ_DELAY_MS)` : ""}.`,
    "",
    "| side | rows | seconds (each round) | change rows/s (mean) | × baseline | goal ≥ 50,000 rows/s (shipped poll) |",
    "|---|---:|---|---:|---:|---|",
  ];
  for (const side of sides) {
    const mine = samples.filter((s) => s.side === side);
    const mean = mine.reduce((n, s) => n + rate(s), 0) / mine.length;
    const complete = mine.every((s) => s.rows === expected);
    lines.push(
      `| ${side} | ${mine[0]!.rows}${complete ? "" : " (≠ expected!)"} | ${mine.map((s) => (s.ms / 1000).toFixed(2)).join(", ")} | ${Math.round(mean)} | ${(mean / baseRate).toFixed(2)} | ${side !== SHIPPED_POLL ? "—" : mean >= GOAL_ROWS_PER_SECOND ? "met" : "not met"} |`,
    );
  }
  const meanOf = (side: string) => {
    const mine = samples.filter((s) => s.side === side);
    return mine.reduce((n, s) => n + rate(s), 0) / mine.length;
  };
  const off = sides.find((s) => s.includes("prefetch off"));
  if (off && sides.includes(SHIPPED_POLL)) lines.push("", `Prefetch on ÷ off: ${(meanOf(SHIPPED_POLL) / meanOf(off)).toFixed(2)}× (mean rows/s).`);
  return lines.join("\n");
}
