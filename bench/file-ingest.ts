/**
 * File ingestion throughput and peak memory: one generated gzip CSV of lab results ingested to bronze by
 * `ingestFile` on the local platform (the shipped path: DuckDB for a CSV feed), side by side in ONE run with DuckDB's own
 * `COPY (SELECT * FROM read_csv(…)) TO … (FORMAT PARQUET, COMPRESSION ZSTD)` on the same file, with DuckDB's
 * default threads and with one thread. Each side runs in its own child process (so peak RSS is per side), one
 * after the other; with several rounds the order alternates so a noisy neighbour hurts every side alike.
 *
 * Run: npm run bench -- files   (options: BENCH_FILE_MB = CSV MiB, default 2048, which is also the shipped
 * settings.files.maxBytesPerInvocation; BENCH_ROUNDS, default 1; BENCH_TIMEOUT_MIN per side, default 20;
 * BENCH_HEAP_CAP_MB for the heap-capped Tributary row, default 256, 0 to skip it; BENCH_STREAMING=1 adds a row for
 * the streaming path (row by row in JS, what CSV feeds used before; ~3 minutes on the 2 GiB file);
 * BENCH_CPU_PROF = a directory for a CPU profile of the Tributary side)
 */
import { runChildSide } from "./child-side";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureLabResultsFile, type LabResultsFile } from "./generate-lab-results";
import type { SideResult } from "./measure-child";

const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 2048);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const HEAP_CAP_MB = Number(process.env.BENCH_HEAP_CAP_MB ?? 256);
const WITH_STREAMING = process.env.BENCH_STREAMING === "1";
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "measure-child.ts");
const MIB = 2 ** 20;
/** Issue #5's goals. */
const GOAL_RATIO = 0.5;
const GOAL_PEAK_RSS_MIB = 512;

interface Side {
  name: string;
  args: string[];
  nodeFlags?: string[];
}

const SIDES: Side[] = [
  { name: "Tributary `ingestFile` → bronze", args: ["tributary"] },
  { name: "DuckDB COPY read_csv → Parquet (default threads)", args: ["duckdb"] },
  { name: "DuckDB COPY read_csv → Parquet (threads = 1)", args: ["duckdb", "1"] },
];
// V8 sizes its heap from the machine (24 GiB here) and collects lazily, so the first row's peak RSS says little about
// what ingestion needs; this row runs the same code with the heap capped, as in a small Lambda.
if (HEAP_CAP_MB > 0) {
  SIDES.push({ name: `Tributary, V8 heap capped (--max-old-space-size=${HEAP_CAP_MB})`, args: ["tributary"], nodeFlags: [`--max-old-space-size=${HEAP_CAP_MB}`] });
}
if (WITH_STREAMING) SIDES.push({ name: "Tributary, streaming path (`engine: \"streaming\"`)", args: ["tributary", "streaming"] });

/**
 * Runs one side in its own Node process; kills it (and fails) past the time limit. Its temp files go to a
 * directory removed here, so a side that crashes (out of memory, say) leaves no GBs of bronze behind.
 */
async function runSide(side: Side, file: string): Promise<SideResult> {
  const workDir = await mkdtemp(join(tmpdir(), "tributary-bench-side-"));
  try {
    return await runChild(side, file, workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function runChild(side: Side, file: string, workDir: string): Promise<SideResult> {
  const flags = [...(side.nodeFlags ?? []), ...(CPU_PROF_DIR && side === SIDES[0] ? ["--cpu-prof", "--cpu-prof-dir", CPU_PROF_DIR] : [])];
  const args = [...flags, "--import", "tsx", CHILD, ...side.args.slice(0, 1), file, ...side.args.slice(1)];
  return runChildSide<SideResult>(side.name, args, { BENCH_WORK_DIR: workDir }, " (a crash here is a result too: see stderr above)");
}

/** The counts each side must reach on this file; anything else is a wrong result, not a slow one. */
function countsProblem(result: SideResult, file: LabResultsFile): string | undefined {
  const refused = result.side === "tributary" ? file.expectedQuarantined : file.expectedDuckdbRejected;
  if (result.rowsRead !== file.rows) return `read ${result.rowsRead} of ${file.rows} rows`;
  if (result.rowsRefused !== refused) return `refused ${result.rowsRefused}, expected ${refused}`;
  if (result.rowsLanded + result.rowsRefused !== file.rows) return `landed + refused ≠ ${file.rows}`;
  return undefined;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function benchFileIngest(): Promise<string> {
  const file = await ensureLabResultsFile(FILE_MB, console.error);
  const results = new Map<string, SideResult[]>(SIDES.map((s) => [s.name, []]));
  // A side that crashes, times out or lands the wrong rows is reported as such; the other sides still run.
  const failures = new Map<string, string>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      if (failures.has(side.name)) continue;
      console.error(`  round ${round + 1}: ${side.name}…`);
      try {
        const result = await runSide(side, file.path);
        const problem = countsProblem(result, file);
        if (problem) throw new Error(`bench: ${side.name} gave wrong counts on ${file.path}: ${problem}`);
        results.get(side.name)!.push(result);
        console.error(`  round ${round + 1}: ${side.name}: ${result.seconds.toFixed(1)} s, peak RSS ${(result.peakRssBytes / MIB).toFixed(0)} MiB`);
      } catch (error) {
        failures.set(side.name, (error as Error).message);
        console.error(`  round ${round + 1}: ${(error as Error).message}`);
      }
    }
  }

  const seconds = (name: string) => (failures.has(name) ? NaN : mean(results.get(name)!.map((r) => r.seconds)));
  const peakMib = (name: string) => Math.max(...results.get(name)!.map((r) => r.peakRssBytes)) / MIB;
  const [tributary, duckdbDefault, duckdbOne] = SIDES.map((s) => s.name) as [string, string, string];
  const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
  const rows = SIDES.map((side) => {
    const failure = failures.get(side.name);
    if (failure) return `| ${side.name} | | ✗ ${failure.replaceAll("|", "\\|")} | | | | | | | | | | |`;
    const r = results.get(side.name)![0]!;
    const s = seconds(side.name);
    return (
      `| ${side.name} | ${r.threads} | ${s.toFixed(1)} | ${(file.compressedBytes / MIB / s).toFixed(1)} | ${(file.uncompressedBytes / MIB / s).toFixed(1)} | ` +
      `${(file.rows / s / 1000).toFixed(0)}k | ${fixed(seconds(duckdbDefault) / s, 3)} | ${fixed(seconds(duckdbOne) / s, 3)} | ` +
      `${r.rowsLanded} | ${r.rowsRefused} | ${(r.outputBytes / MIB).toFixed(0)} MiB in ${r.outputFiles} | ${(r.rssBeforeBytes / MIB).toFixed(0)} | ${peakMib(side.name).toFixed(0)} |`
    );
  });
  const ratioDefault = seconds(duckdbDefault) / seconds(tributary);
  const ratioOne = seconds(duckdbOne) / seconds(tributary);
  const peakOf = (name: string) => (failures.has(name) ? NaN : peakMib(name));
  const verdict = (ok: boolean) => (ok ? "met" : "**not met**");
  const capped = SIDES.find((s) => s.nodeFlags)?.name;
  const rssVerdict = (name: string) => `${fixed(peakOf(name), 0)} MiB (${verdict(peakOf(name) <= GOAL_PEAK_RSS_MIB)})`;
  const putSeconds = failures.has(tributary) ? NaN : mean(results.get(tributary)!.map((r) => r.setupSeconds));
  return [
    `Machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${ROUNDS} round(s), sides in separate processes, order alternating.`,
    `File: ${file.path.split("/").at(-1)}: ${(file.uncompressedBytes / MIB).toFixed(0)} MiB CSV, ${(file.compressedBytes / MIB).toFixed(0)} MiB gzip, ${file.rows} rows ` +
      `(${file.expectedQuarantined} bad for the feed, ${file.expectedDuckdbRejected} of them type or field-count errors DuckDB rejects too). ` +
      `Putting it into the local lake took ${fixed(putSeconds, 1)} s (not timed).`,
    "",
    "| side | threads | s | MiB/s gzip | MiB/s CSV | rows/s | × DuckDB (default threads) | × DuckDB (1 thread) | rows landed | refused | Parquet out | RSS before MiB | peak RSS MiB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    `Goal ≥${GOAL_RATIO}× DuckDB's throughput: ${fixed(ratioDefault, 3)}× its default threads (${verdict(ratioDefault >= GOAL_RATIO)}), ` +
      `${fixed(ratioOne, 3)}× one thread (${verdict(ratioOne >= GOAL_RATIO)}). ` +
      `Goal peak RSS ≤${GOAL_PEAK_RSS_MIB} MiB: ${rssVerdict(tributary)} with default V8 flags` +
      (capped ? `; ${rssVerdict(capped)} with the heap capped at ${HEAP_CAP_MB} MiB, at ${fixed(seconds(duckdbDefault) / seconds(capped), 3)}× DuckDB.` : "."),
  ].join("\n");
}
