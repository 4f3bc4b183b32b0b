/**
 * One side of the file-ingestion benchmark, run in a process of its own so that its peak RSS is its own:
 *
 *   node --import tsx bench/measure-child.ts tributary <file.csv.gz> [auto|streaming]
 *   node --import tsx bench/measure-child.ts duckdb <file.csv.gz> [threads]
 *
 * Prints one JSON `SideResult` line on stdout; progress goes to stderr. Only the ingestion itself is timed:
 * starting the platform, putting the file into the lake and opening DuckDB happen before the clock starts.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";

/** Where temp homes go; the parent passes a directory it removes however this process ends (a crash included). */
const WORK_DIR = process.env.BENCH_WORK_DIR ?? tmpdir();

export interface SideResult {
  side: "tributary" | "duckdb";
  /**
   * DuckDB's `threads` setting; for Tributary, the cores its DuckDB path uses (DuckDB's default), or 1 for the
   * streaming path (one JS thread, with gunzip and fsync on libuv's pool).
   */
  threads: number;
  /** Tributary only: the path that read the file (`manifest.engine`). */
  engine?: string;
  seconds: number;
  rowsRead: number;
  rowsLanded: number;
  /** Quarantined (Tributary) or rejected into `reject_errors` (DuckDB). */
  rowsRefused: number;
  /** Parquet bytes written. */
  outputBytes: number;
  outputFiles: number;
  /** RSS just before the clock started (runtime, modules, platform or database already loaded). */
  rssBeforeBytes: number;
  /** The process's peak RSS (VmHWM), read right after the timed part. */
  peakRssBytes: number;
  /** Untimed set-up of note, e.g. putting the file into the lake. */
  setupSeconds: number;
}

/** VmRSS / VmHWM from /proc (Linux), else what Node can tell (maxRSS only covers the peak). */
async function memory(): Promise<{ rss: number; peak: number }> {
  try {
    const status = await readFile("/proc/self/status", "utf8");
    const kib = (field: string) => Number(/^(\S+):\s+(\d+) kB$/m.exec(status.split("\n").find((l) => l.startsWith(`${field}:`)) ?? "")?.[2]);
    const rss = kib("VmRSS");
    const peak = kib("VmHWM");
    if (Number.isFinite(rss) && Number.isFinite(peak)) return { rss: rss * 1024, peak: peak * 1024 };
  } catch {
    // Not Linux: fall through.
  }
  return { rss: process.memoryUsage.rss(), peak: process.resourceUsage().maxRSS * 1024 };
}

async function measureTributary(file: string, engine: "auto" | "streaming"): Promise<SideResult> {
  const { parseConfig } = await import("@tributary/core/config");
  const { startLocalPlatform } = await import("@tributary/core/local");
  const { ingestFile } = await import("@tributary/core/files");
  const { default: shipped } = await import("../tributary.config");
  const home = await mkdtemp(join(WORK_DIR, "tributary-bench-files-"));
  // The landing scanner would otherwise announce the put file and race the direct ingestFile call below.
  const platform = await startLocalPlatform({ settings: { home, port: 0, logLevel: "ERROR" }, config: parseConfig(shipped), landingScanMs: 3_600_000 });
  try {
    const putStarted = performance.now();
    const object = await platform.ports.lake.put(`landing/lab_results/bench/${basename(file)}`, createReadStream(file));
    const setupSeconds = (performance.now() - putStarted) / 1000;
    const before = await memory();
    const started = performance.now();
    let reportedTenths = 0;
    // The announcements are counted, not delivered: on the local platform the link consumer runs in this same process,
    // and would start reading every announced row into memory while the clock and the peak RSS are still running.
    // (On AWS it is another function.) Building and putting the events is still timed.
    const announced = { events: 0 };
    const ports = { ...platform.ports, bus: { put: async (events: unknown[]) => void (announced.events += events.length) } };
    const manifest = await ingestFile(ports, { key: object.key, etag: object.etag, size: object.size }, (progress) => {
      const tenths = Math.floor((10 * progress.bytes) / progress.totalBytes);
      if (tenths <= reportedTenths) return;
      reportedTenths = tenths;
      const rss = process.memoryUsage.rss() / 2 ** 20;
      console.error(`    tributary: ${tenths * 10}%, ${progress.rows} rows, ${((performance.now() - started) / 1000).toFixed(0)} s, RSS ${rss.toFixed(0)} MiB`);
    }, { engine });
    const seconds = (performance.now() - started) / 1000;
    const after = await memory();
    let outputBytes = 0;
    for (const key of [...manifest.files, ...manifest.quarantineFiles]) outputBytes += (await platform.ports.lake.head(key))?.size ?? 0;
    if (manifest.engineFallback) console.error(`    tributary: fell back to the streaming path: ${manifest.engineFallback}`);
    return {
      side: "tributary",
      threads: manifest.engine === "duckdb" ? availableParallelism() : 1,
      engine: manifest.engine,
      seconds,
      rowsRead: manifest.rowsRead,
      rowsLanded: manifest.rowsLanded,
      rowsRefused: manifest.rowsQuarantined,
      outputBytes,
      outputFiles: manifest.files.length + manifest.quarantineFiles.length,
      rssBeforeBytes: before.rss,
      peakRssBytes: after.peak,
      setupSeconds,
    };
  } finally {
    await platform.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/** The types DuckDB is told, matching the feed's; TIMESTAMP, not TIMESTAMPTZ, whose CSV cast turns bad values into NULL silently. */
const DUCKDB_COLUMNS = {
  kit_barcode: "VARCHAR",
  test_code: "VARCHAR",
  result_value: "VARCHAR",
  result_flag: "VARCHAR",
  collected_at: "TIMESTAMP",
  reported_at: "TIMESTAMP",
  lab_id: "VARCHAR",
};

async function measureDuckdb(file: string, threads: number | undefined): Promise<SideResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const dir = await mkdtemp(join(WORK_DIR, "tributary-bench-duckdb-"));
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    if (threads !== undefined) await connection.run(`SET threads = ${threads}`);
    const setting = (await connection.runAndReadAll("SELECT current_setting('threads') AS threads")).getRowObjectsJson()[0]?.threads;
    const out = join(dir, "out.parquet");
    const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
    const columns = `{${Object.entries(DUCKDB_COLUMNS).map(([name, type]) => `${quote(name)}: ${quote(type)}`).join(", ")}}`;
    const sql =
      `COPY (SELECT * FROM read_csv(${quote(file)}, header = true, delim = ',', quote = '"', escape = '"', columns = ${columns}, store_rejects = true)) ` +
      `TO ${quote(out)} (FORMAT PARQUET, COMPRESSION ZSTD)`;
    const before = await memory();
    const started = performance.now();
    await connection.run(sql);
    const seconds = (performance.now() - started) / 1000;
    const after = await memory();
    const count = async (query: string) => Number((await connection.runAndReadAll(query)).getRowObjectsJson()[0]?.n);
    const landed = await count(`SELECT count(*) AS n FROM read_parquet(${quote(out)})`);
    const rejected = await count("SELECT count(*) AS n FROM reject_errors");
    return {
      side: "duckdb",
      threads: Number(setting),
      seconds,
      rowsRead: landed + rejected,
      rowsLanded: landed,
      rowsRefused: rejected,
      outputBytes: (await stat(out)).size,
      outputFiles: 1,
      rssBeforeBytes: before.rss,
      peakRssBytes: after.peak,
      setupSeconds: 0,
    };
  } finally {
    connection.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

const [side, file, option] = process.argv.slice(2);
if (!file || (side !== "tributary" && side !== "duckdb")) {
  console.error("usage: measure-child.ts tributary <file> [auto|streaming] | duckdb <file> [threads]");
  process.exit(2);
}
const result =
  side === "tributary"
    ? await measureTributary(file, option === "streaming" ? "streaming" : "auto")
    : await measureDuckdb(file, option ? Number(option) : undefined);
console.log(JSON.stringify(result));
process.exit(0);
