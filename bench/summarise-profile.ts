/**
 * Where the time of a `--cpu-prof` profile goes, by stage of file ingestion: self time of every sampled
 * function, grouped by the file it lives in. Used to write the profile table in bench/RESULTS.md.
 *
 * Run: tsx bench/summarise-profile.ts <file.cpuprofile> [top N functions, default 25]
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins; order matters (our own files before the libraries they call). */
const STAGES: [string, (url: string, fn: string) => boolean][] = [
  ["idle (main thread waiting: gunzip runs on libuv's pool)", (_, fn) => fn === "(idle)"],
  ["garbage collection", (_, fn) => fn === "(garbage collector)"],
  ["CSV parse (files/csv-splitter, decode-text)", (url) => url.includes("/csv-parse/") || /\/files\/(csv-splitter|line-splitter|decode-text)/.test(url)],
  ["row records (files/read-rows)", (url) => url.includes("/files/read-rows")],
  ["ingest loop (files/ingest: ids, lineage, awaits)", (url) => url.includes("/files/")],
  ["validation + coercion (config/row-validator, column-types, time)", (url) => /\/config\/(row-validator|column-types|time)/.test(url)],
  ["bronze record checks + buffering (lake/bronze-writer, partitioned-writer, column-buffer)", (url) => /\/lake\/(bronze-writer|partitioned-writer|quarantine-writer|column-buffer|canonical-values)/.test(url)],
  ["Arrow building (lake/arrow-columns, apache-arrow)", (url) => url.includes("/lake/arrow-columns") || url.includes("/apache-arrow/")],
  ["Parquet encode (parquet-wasm, ZSTD)", (url) => url.includes("parquet-wasm") || url.startsWith("wasm://")],
  ["batch + link keys + announce (ingest/*)", (url) => url.includes("/core/src/ingest/")],
  ["local bus / queues", (url) => url.includes("/core/src/local/")],
  ["gunzip + sha256 glue (node:zlib, node:crypto)", (url) => url.startsWith("node:zlib") || url.startsWith("node:internal/crypto")],
  ["Node streams, fs, Buffer (node:*)", (url) => url.startsWith("node:")],
  ["V8 built-ins (string/Buffer natives, microtasks)", (url, fn) => url === "" && !fn.startsWith("(")],
  ["native / runtime (program)", (_, fn) => fn === "(program)"],
];

function stageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  return STAGES.find(([, test]) => test(url, functionName))?.[0] ?? "other";
}

const [path, topArg] = process.argv.slice(2);
if (!path) {
  console.error("usage: summarise-profile.ts <file.cpuprofile> [top N]");
  process.exit(2);
}
const profile = JSON.parse(await readFile(path, "utf8")) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const stages = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  stages.set(stageOf(node), (stages.get(stageOf(node)) ?? 0) + micros);
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|packages)\//, "")}:${lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + micros);
}
const pct = (micros: number) => `${((100 * micros) / total).toFixed(1)}%`;
console.log(`Total ${(total / 1e6).toFixed(1)} s sampled.\n\n| share | s | stage |\n|---:|---:|---|`);
for (const [stage, micros] of [...stages].sort((a, b) => b[1] - a[1])) console.log(`| ${pct(micros)} | ${(micros / 1e6).toFixed(2)} | ${stage} |`);
console.log(`\n| share | function (self time) |\n|---:|---|`);
for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) console.log(`| ${pct(micros)} | ${name} |`);
