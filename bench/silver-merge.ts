/**
 * Silver merge throughput (issue #7): CDC change rows of `orders` merged per second by `mergeSilver` (bronze →
 * latest version per key, deletes applied → silver Parquet, published by manifest), side by side in ONE run with
 * the baseline of DuckDB alone reading the same files and writing them back as Parquet with the same COPY options
 * (read + write, no merge logic), so the ratio is the cost of the merge itself. Goal: ≥ 1,000,000 change rows/s.
 *
 * Per size N (BENCH_SILVER_SIZES, change rows, default "1000000,10000000"; multiples of 2,000):
 * - bronze is generated straight into a filesystem lake by DuckDB (`COPY (… generate_series …)`), 10 batch files
 *   of N/10 rows with the BronzeWriter's exact schema (checked against a file the BronzeWriter writes): a snapshot
 *   of N/4 keys, then blocks of 100 change rows with 11 inserts of new keys, 1 delete and 44 updates (before and
 *   after images) of existing keys, one LSN per change — about 3 change rows per key;
 * - "from empty": the first merge of all N rows, no silver yet;
 * - "incremental": one more batch of N/20 change rows, merged with the silver version just published.
 * `mergeSilver` is timed whole: listing bronze, the merge SQL, the dataset's quality expectations (orders: unique
 * order_id, customer_id references silver customers — 997 customers merged beforehand, untimed —, accepted status
 * values), the COPY to ZSTD Parquet and the put into the lake, the tombstones of deleted keys, the manifest switch.
 * Each measurement runs in its own child process (so its peak RSS is its own), the order of the sides alternating
 * per size and round. Each merge's silver row count is checked against the keys the generator left alive.
 *
 * Run: npm run bench -- silver   (BENCH_SILVER_SIZES, BENCH_ROUNDS default 1, BENCH_TIMEOUT_MIN per side default 20)
 */
import { runChildSide } from "./child-side";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileRowValidator, datasetNamed, parseConfig } from "../packages/core/src/config";
import { BronzeWriter, datasetPrefix, FileSystemLakeStore } from "../packages/core/src/lake";
import { mergeSilver, readCurrentManifest, VERSION_COPY_OPTIONS, type SilverOutcome } from "../packages/core/src/medallion";
import type { Ports } from "../packages/core/src/platform";
import { cdcPorts } from "../test/cdc/cdc-harness";
import shipped from "../tributary.config";

const SIZES = (process.env.BENCH_SILVER_SIZES ?? "1000000,10000000").split(",").map((s) => Number(s.trim()));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const GOAL = 1_000_000;
const BATCHES = 10;
const SELF = fileURLToPath(import.meta.url);
const MIB = 2 ** 20;

const config = parseConfig(shipped);
const orders = datasetNamed(config, "orders");
const customers = datasetNamed(config, "customers");
/** The generator's customer ids are 1…CUSTOMERS. */
const CUSTOMERS = 997;
const SECRETS: Record<string, string> = { TOKENISE_KEY: "bench-tokenise-key", LINK_HASH_KEY: "bench-link-hash-key" };

/** Ports over a filesystem lake; no link table, so merges are given their entity roots (none merged). */
const benchPorts = (lake: string): Ports => ({ ...cdcPorts(config, lake, undefined as never), secrets: { get: async (name) => SECRETS[name] } });
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const list = (paths: string[]) => `[${paths.map(literal).join(", ")}]`;

// ─── the generated bronze ───────────────────────────────────────────────────────────────────────────────────────

/** The shape of N change rows: snapshot keys, change blocks, and the batch files they fall in. */
function planOf(n: number) {
  if (!Number.isInteger(n) || n <= 0 || n % 2_000 !== 0) throw new Error(`bench: BENCH_SILVER_SIZES: ${n} is not a positive multiple of 2000`);
  const snapshot = n / 4;
  const blocks = (n - snapshot) / 100;
  const extraBlocks = n / 20 / 100;
  return {
    n,
    snapshot,
    /** Keys alive after all N rows: snapshot + 11 inserts − 1 delete per block. */
    aliveAfter: snapshot + 10 * blocks,
    aliveAfterExtra: snapshot + 10 * (blocks + extraBlocks),
    extraRows: n / 20,
  };
}
type Plan = ReturnType<typeof planOf>;

const SNAPSHOT_LSN = 0x2a000000100000;

/**
 * The bronze rows [from, to) of the change stream, as the CDC poller lands them: one snapshot LSN for the snapshot
 * rows (`orders:<lsn>:snapshot:["<key>"]`), then changes with their own LSN (`orders:<lsn>:<command id>:<seqval>:<op>`).
 * Updates pick an existing key by hash; deletes take every 20th snapshot key in turn, which updates never touch, so
 * no key is updated after its delete.
 */
function bronzeSql(plan: Plan, batch: number, from: number, to: number): string {
  const { n, snapshot: s } = plan;
  const hex = (v: string) => `printf('%020X', ${v})`;
  return `
    WITH positions AS (
      SELECT r, r < ${s} AS snap, (r - ${s}) // 100 AS b, (r - ${s}) % 100 AS p FROM generate_series(${from}, ${to - 1}) t(r)
    ), events AS (
      SELECT r, snap, b, p,
        CASE WHEN snap THEN 'snapshot' WHEN p < 11 THEN 'insert' WHEN p = 11 THEN 'delete' WHEN (p - 12) % 2 = 0 THEN 'update_before' ELSE 'update_after' END AS op,
        CASE WHEN p < 12 THEN b * 56 + p ELSE b * 56 + 12 + (p - 12) // 2 END AS ev,
        b * 44 + (p - 12) // 2 AS upd,
        CASE WHEN snap THEN 0 ELSE (1 + hash(b * 44 + (p - 12) // 2) % (${s} + 11 * (b + 1)))::BIGINT END AS target
      FROM positions
    ), keyed AS (
      SELECT *,
        CASE op WHEN 'snapshot' THEN r + 1 WHEN 'insert' THEN ${s} + 11 * b + p + 1 WHEN 'delete' THEN 20 * (b + 1)
          ELSE CASE WHEN target <= ${s} AND target % 20 = 0 THEN target - 1 ELSE target END END AS k,
        CASE WHEN snap THEN ${hex(String(SNAPSHOT_LSN))} ELSE ${hex(`${SNAPSHOT_LSN + 1} + ev`)} END AS lsn,
        TIMESTAMPTZ '2026-11-21 08:00:00+00' + to_microseconds(r * 3400000000 // ${n}) AS changed_at
      FROM events
    )
    SELECT
      k AS order_id,
      1 + k % ${CUSTOMERS} AS customer_id,
      'KIT-' || lpad(k::VARCHAR, 9, '0') AS kit_barcode,
      'P-' || (k % 20)::VARCHAR AS product_code,
      (((k * 37 + CASE WHEN snap THEN 0 ELSE ev END) % 100000) / 100.0)::DECIMAL(10,2) AS amount,
      CASE op WHEN 'update_after' THEN ['paid', 'shipped', 'activated', 'cancelled'][upd % 4 + 1] WHEN 'delete' THEN 'cancelled' ELSE 'pending' END AS status,
      TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds(k % 1000000) AS ordered_at,
      changed_at AS updated_at,
      CASE WHEN snap THEN 'orders:' || lsn || ':snapshot:["' || k || '"]'
        ELSE 'orders:' || lsn || ':1:' || lsn || ':' || CASE op WHEN 'delete' THEN 1 WHEN 'insert' THEN 2 WHEN 'update_before' THEN 3 ELSE 4 END END AS _record_id,
      TIMESTAMPTZ '2026-11-21 09:00:00+00' + to_seconds(${batch * 60}) AS _ingested_at,
      ${literal(orders.source)} AS _source,
      ${literal(batchId(batch))} AS _batch_id,
      lsn AS _lsn,
      CASE WHEN snap THEN '00000000000000000000' ELSE lsn END AS _seqval,
      op AS _op,
      CASE WHEN snap THEN NULL ELSE changed_at END AS _commit_ts
    FROM keyed ORDER BY r`;
}

const batchId = (batch: number) => `bench-${String(batch).padStart(2, "0")}`;
const bronzeDir = (lake: string) => join(lake, ...datasetPrefix(orders, "bronze").split("/").filter(Boolean), "dt=2026-11-21", "hour=08");
const bronzeFile = (lake: string, batch: number) => join(bronzeDir(lake), `part-${batchId(batch)}-0000.parquet`);

type Connection = Awaited<ReturnType<Awaited<ReturnType<typeof import("@duckdb/node-api").DuckDBInstance.create>>["connect"]>>;

async function withDuckdb<T>(use: (c: Connection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    return await use(connection);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** Writes bronze batches [first, last] of the plan; batch 10 is the extra N/20 rows. */
async function generateBronze(lake: string, plan: Plan, batches: number[]): Promise<void> {
  await mkdir(bronzeDir(lake), { recursive: true });
  const per = plan.n / BATCHES;
  await withDuckdb(async (c) => {
    for (const batch of batches) {
      const [from, to] = batch < BATCHES ? [batch * per, (batch + 1) * per] : [plan.n, plan.n + plan.extraRows];
      await c.run(`COPY (${bronzeSql(plan, batch, from, to)}) TO ${literal(bronzeFile(lake, batch))} (FORMAT PARQUET, COMPRESSION ZSTD)`);
    }
  });
}

/** Fails unless the generated files have exactly the columns and types of a file the BronzeWriter writes. */
async function assertBronzeSchema(generated: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "tributary-bench-silver-schema-"));
  try {
    const store = new FileSystemLakeStore(scratch);
    const writer = new BronzeWriter({ store, dataset: orders, batchId: "schema", maxRowsPerFile: 10 });
    const checked = compileRowValidator(orders)({ order_id: 1, customer_id: 2, kit_barcode: "KIT-1", amount: "1.50", status: "paid", updated_at: "2026-11-21T08:00:00Z" });
    if (!checked.ok) throw new Error(`bench: schema probe row is invalid: ${JSON.stringify(checked.problems)}`);
    const lsn = "0000002A000000100001";
    await writer.add(checked.row, { _record_id: `orders:${lsn}:1:${lsn}:2`, _lsn: lsn, _seqval: lsn, _op: "insert", _commit_ts: null });
    const written = join(scratch, (await writer.close()).files[0]!.key);
    const describe = (c: Connection, file: string) =>
      c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false)`).then((r) => JSON.stringify(r.getRows().map((x) => [x[0], x[1]])));
    const [expected, actual] = await withDuckdb(async (c) => [await describe(c, written), await describe(c, generated)]);
    if (expected !== actual) throw new Error(`bench: generated bronze schema ${actual} differs from the BronzeWriter's ${expected}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Silver customers 1…CUSTOMERS (a snapshot through the BronzeWriter, merged), for the `references` expectation. */
async function landCustomers(lake: string): Promise<void> {
  const ports = benchPorts(lake);
  const validate = compileRowValidator(customers);
  const writer = new BronzeWriter({ store: ports.lake, dataset: customers, batchId: "bench-customers", maxRowsPerFile: 10_000 });
  const lsn = "0000002A000000100000";
  for (let id = 1; id <= CUSTOMERS; id++) {
    const checked = validate({ customer_id: id, email: `customer${id}@example.com`, full_name: `Customer ${id}`, country: "GB", created_at: "2026-11-01T00:00:00Z" });
    if (!checked.ok) throw new Error(`bench: customer row is invalid: ${JSON.stringify(checked.problems)}`);
    await writer.add(checked.row, { _record_id: `customers:${lsn}:snapshot:${JSON.stringify([String(id)])}`, _lsn: lsn, _seqval: "00000000000000000000", _op: "snapshot", _commit_ts: null });
  }
  await writer.close();
  await mergeSilver(ports, customers, { entityRoots: new Map() });
}

// ─── one measurement, in a child process ─────────────────────────────────────────────────────────────────────────

type Job = { side: "merge"; lake: string } | { side: "copy"; files: string[]; out: string };
interface Measured {
  seconds: number;
  /** User + system CPU of the process (all DuckDB threads) over the same span: steadier than wall time on a shared host. */
  cpuSeconds: number;
  rowsOut: number;
  peakRssBytes: number;
  /** The merge's quality expectations: `check(column) failures`, or why one was skipped. */
  quality?: string;
}

const qualityOf = (outcome: SilverOutcome) =>
  (outcome.quality ?? []).map((r) => `${r.check}(${r.column ?? ""}) ${r.action}: ${r.skipped ? `skipped (${r.skipped})` : `${r.failures} failing`}`).join(", ") + `; ${outcome.quarantined ?? 0} quarantined`;

async function measure(job: Job): Promise<Measured> {
  await import("@duckdb/node-api"); // loaded before the clock, as in a warm Lambda
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let rowsOut: number;
  let quality: string | undefined;
  if (job.side === "merge") {
    const outcome = await mergeSilver(benchPorts(job.lake), orders, { entityRoots: new Map() });
    rowsOut = outcome.rows;
    quality = qualityOf(outcome);
  } else {
    const sql = `COPY (SELECT * FROM read_parquet(${list(job.files)}, union_by_name = true, hive_partitioning = false)) TO ${literal(job.out)} (${VERSION_COPY_OPTIONS})`;
    rowsOut = await withDuckdb(async (c) => Number((await c.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rowsOut, peakRssBytes: process.resourceUsage().maxRSS * 1024, quality };
}

function runChild(job: Job): Promise<Measured> {
  return runChildSide<Measured>(job.side, ["--import", "tsx", SELF, "--child", JSON.stringify(job)]);
}

// ─── the benchmark ───────────────────────────────────────────────────────────────────────────────────────────────

interface Sample {
  size: number;
  phase: "from empty" | "incremental";
  side: "baseline" | "merge";
  rowsIn: number;
  changeRows: number;
  expectedOut: number;
  result: Measured;
}

export async function benchSilverMerge(): Promise<string> {
  const samples: Sample[] = [];
  const notes: string[] = [];
  const qualities: string[] = [];
  for (const [index, size] of SIZES.entries()) {
    const plan = planOf(size);
    const lake = await mkdtemp(join(tmpdir(), "tributary-bench-silver-"));
    try {
      let t0 = performance.now();
      await generateBronze(lake, plan, [...Array(BATCHES).keys()]);
      if (index === 0) await assertBronzeSchema(bronzeFile(lake, 0));
      await landCustomers(lake);
      const bronze = [...Array(BATCHES).keys()].map((b) => bronzeFile(lake, b));
      const bytes = (await Promise.all(bronze.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
      notes.push(`${size} change rows: ${BATCHES} bronze files, ${(bytes / MIB).toFixed(0)} MiB, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      console.error(`  ${notes.at(-1)}`);

      for (let round = 0; round < ROUNDS; round++) {
        await rm(join(lake, "silver", orders.name), { recursive: true, force: true });
        await rm(bronzeFile(lake, BATCHES), { force: true });
        const mergeFirst = (index + round) % 2 === 1;
        const run = async (sample: Omit<Sample, "result">, job: Job) => {
          console.error(`  ${size} rows, round ${round + 1}: ${sample.phase}, ${sample.side}…`);
          const result = await runChild(job);
          samples.push({ ...sample, result });
          console.error(`    ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), ${result.rowsOut} rows out, peak RSS ${(result.peakRssBytes / MIB).toFixed(0)} MiB`);
          if (result.quality && !qualities.includes(result.quality)) qualities.push(result.quality);
          if (job.side === "copy") await rm(job.out, { recursive: true, force: true });
        };
        const fullBase = () => run({ size, phase: "from empty", side: "baseline", rowsIn: size, changeRows: size, expectedOut: size }, { side: "copy", files: bronze, out: join(lake, "baseline-out") });
        const fullMerge = () => run({ size, phase: "from empty", side: "merge", rowsIn: size, changeRows: size, expectedOut: plan.aliveAfter }, { side: "merge", lake });
        for (const side of mergeFirst ? [fullMerge, fullBase] : [fullBase, fullMerge]) await side();

        // The incremental merge reads the published version plus the new batch; the baseline copies the same files.
        const previous = (await readCurrentManifest(new FileSystemLakeStore(lake), "silver", orders.name))!;
        t0 = performance.now();
        await generateBronze(lake, plan, [BATCHES]);
        const inputs = [...previous.files.map((f) => join(lake, f.key)), bronzeFile(lake, BATCHES)];
        const rowsIn = previous.rows + plan.extraRows;
        const incBase = () => run({ size, phase: "incremental", side: "baseline", rowsIn, changeRows: plan.extraRows, expectedOut: rowsIn }, { side: "copy", files: inputs, out: join(lake, "baseline-out") });
        const incMerge = () => run({ size, phase: "incremental", side: "merge", rowsIn, changeRows: plan.extraRows, expectedOut: plan.aliveAfterExtra }, { side: "merge", lake });
        for (const side of mergeFirst ? [incMerge, incBase] : [incBase, incMerge]) await side();
      }
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  }
  return report(samples, [...notes, ...qualities.map((q) => `quality expectations of the merges: ${q}`)]);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function report(samples: Sample[], notes: string[]): string {
  const seconds = (size: number, phase: Sample["phase"], side: Sample["side"]) => mean(samples.filter((s) => s.size === size && s.phase === phase && s.side === side).map((s) => s.result.seconds));
  const lines = [
    `Machine: ${cpus().length} vCPU ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, DuckDB default threads (${cpus().length}). ` +
      `${ROUNDS} round(s); each side in its own process, order alternating per size.`,
    "",
    ...notes.map((n) => `- ${n}`),
    "",
    "| change rows | merge | side | rows read | silver rows out | seconds (each round) | CPU s (each round) | change rows/s | × baseline | peak RSS MiB | goal ≥ 1,000,000 rows/s |",
    "|---:|---|---|---:|---:|---|---|---:|---:|---:|---|",
  ];
  for (const size of SIZES) {
    for (const phase of ["from empty", "incremental"] as const) {
      for (const side of ["baseline", "merge"] as const) {
        const mine = samples.filter((s) => s.size === size && s.phase === phase && s.side === side);
        if (mine.length === 0) continue;
        const first = mine[0]!;
        const secs = seconds(size, phase, side);
        const outOk = mine.every((s) => s.result.rowsOut === s.expectedOut);
        const rate = first.changeRows / secs;
        const name = side === "baseline" ? "DuckDB COPY read → write (baseline)" : "`mergeSilver`";
        const read = phase === "incremental" ? `${first.changeRows} + ${first.rowsIn - first.changeRows} silver` : String(first.rowsIn);
        lines.push(
          `| ${size} | ${phase} | ${name} | ${read} | ${first.result.rowsOut}${outOk ? "" : ` (≠ expected ${first.expectedOut}!)`} | ${mine.map((s) => s.result.seconds.toFixed(2)).join(", ")} | ${mine.map((s) => s.result.cpuSeconds.toFixed(1)).join(", ")} | ` +
            `${Math.round(rate)} | ${(seconds(size, phase, "baseline") / secs).toFixed(2)} | ${Math.max(...mine.map((s) => s.result.peakRssBytes / MIB)).toFixed(0)} | ` +
            `${side === "baseline" ? "—" : rate >= GOAL ? "met" : "not met"} |`,
        );
      }
    }
  }
  if (SIZES.length > 1) {
    const [small, large] = [SIZES[0]!, SIZES.at(-1)!];
    const growth = (phase: Sample["phase"], side: Sample["side"]) => (seconds(large, phase, side) / seconds(small, phase, side)).toFixed(2);
    lines.push(
      "",
      `Time growth from ${small} to ${large} change rows (${(large / small).toFixed(0)}× the rows): merge from empty ×${growth("from empty", "merge")}, ` +
        `its baseline ×${growth("from empty", "baseline")}; incremental merge ×${growth("incremental", "merge")}, its baseline ×${growth("incremental", "baseline")}.`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] === SELF && process.argv[2] === "--child") {
  const job = JSON.parse(process.argv[3] ?? "{}") as Job;
  console.log(JSON.stringify(await measure(job)));
  process.exit(0);
}
