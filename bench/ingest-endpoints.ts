/**
 * Requests/s of the stream endpoint and of /mp/collect on the local platform, side by side in ONE run with a
 * bare Node `http` server answering 204 on the same machine (the baseline). Rounds alternate bare / streams /
 * GA4 so a noisy neighbour hurts all three alike; the ratio is what we report. Loopback only, bounded in time.
 *
 * Two parts, each on a fresh platform, each with its own bare baseline:
 * - "endpoint": while a target is measured no queue consumer runs (their event source mappings are disabled,
 *   as one would disable them on AWS). On AWS the consumers are other Lambdas on other machines; here they
 *   would share the server's CPU. After each target the consumers of the queues it filled drain them (timed
 *   apart: bronze records/s, GA hits forwarded/s); the link consumer stays disabled for the whole part.
 * - "in-process": every consumer runs during the measurement, as `tributary dev` runs them (the old setup).
 *   Each run starts once every queue is empty, so no run (the bare one included) shares the CPU with the
 *   previous run's linking or forwarding.
 * Each part then checks that every record the endpoints accepted is in bronze exactly once.
 *
 * Run: npm run bench -- ingest   (options: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, open, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { openLakeQuery } from "@tributary/core/catalog";
import { parseConfig, type TributaryConfig } from "@tributary/core/config";
import { startLocalPlatform, type LocalPlatform } from "@tributary/core/local";
import { queueConsumersOf } from "@tributary/core/local/queue";
import shipped from "../tributary.config";

const AUTOCANNON_BIN = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** How long a queue may take to empty (linking is the slowest consumer) before the bench gives up. */
const DRAIN_TIMEOUT_MS = 600_000;

type Part = "endpoint" | "in-process";

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The queue its accepted requests land on, drained into bronze by its consumer. */
  queue?: "stream-records" | "ga-hits";
  /** Other queues its requests fill, drained between runs in the endpoint part (not checked against bronze). */
  alsoFills?: "ga-forward";
}

interface Measured {
  rps: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon runs in its own process: in the servers' process its client work would share their event loop
 * and understate every target (the bare server most of all).
 */
async function measure(target: Target): Promise<Measured> {
  const args = ["-j", "-c", String(CONNECTIONS), "-d", String(SECONDS), "-m", "POST"];
  for (const [k, v] of Object.entries(target.headers)) args.push("-H", `${k}=${v}`);
  if (target.body) args.push("-b", target.body);
  args.push(target.url);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON_BIN, ...args], { stdio: ["ignore", "pipe", "ignore"] });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`bench: autocannon exited with ${code}`))));
  });
  const r = JSON.parse(out) as { requests: { average: number }; latency: { p99: number }; "2xx": number; non2xx: number; errors: number };
  return { rps: r.requests.average, p99: r.latency.p99, ok: r["2xx"], non2xx: r.non2xx, errors: r.errors };
}

/** Median latency of a 4 KiB append + fdatasync in `dir`: the journal's group commit waits on exactly this. */
async function fsyncLatencyMs(dir: string): Promise<number> {
  const handle = await open(join(dir, "fsync-probe"), "a");
  const block = Buffer.alloc(4096, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await handle.write(block);
      await handle.datasync();
      times.push(performance.now() - start);
    }
  } finally {
    await handle.close();
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

async function setConsumers(platform: LocalPlatform, queues: string[], enabled: boolean): Promise<void> {
  for (const name of queues) for (const consumer of queueConsumersOf(platform.queues.get(name)!)) await consumer.setEnabled(enabled);
}

/** Waits until `queue` holds nothing (visible or in flight); returns the seconds it took. */
async function drained(platform: LocalPlatform, queue: string): Promise<number> {
  const start = performance.now();
  const q = platform.queues.get(queue)!;
  for (;;) {
    const { visible, inFlight } = q.depth();
    if (visible + inFlight === 0) return (performance.now() - start) / 1000;
    if (performance.now() - start > DRAIN_TIMEOUT_MS) throw new Error(`bench: ${queue} still holds ${visible + inFlight} messages after ${DRAIN_TIMEOUT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function targetsOf(platform: LocalPlatform, bareUrl: string): Target[] {
  const { apiKey, gaMeasurementId, gaApiSecret } = platform.credentials;
  const json = { "content-type": "application/json" };
  return [
    { name: "bare node http 204", url: `${bareUrl}/`, headers: json, body: "{}" },
    {
      name: "POST /v1/streams/user_events/records (1 record)",
      url: `${platform.url}/v1/streams/user_events/records`,
      headers: { ...json, "x-api-key": apiKey },
      body: JSON.stringify({ request_id: "bench", request_timestamp: new Date().toISOString(), topic: "page_view", cookie_id: "c.1" }),
      queue: "stream-records",
    },
    {
      name: "POST /mp/collect (GA4, 1 event)",
      url: `${platform.url}/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`,
      headers: json,
      body: JSON.stringify({ client_id: "123.456", events: [{ name: "page_view", params: { page_location: "https://example.com/kits", session_id: "1", engagement_time_msec: 100 } }] }),
      queue: "ga-hits",
      alsoFills: "ga-forward",
    },
  ];
}

interface PartResult {
  results: Map<string, Measured[]>;
  targets: Target[];
  drainRates: Map<string, number[]>;
  fsyncMs: number[];
  checks: string[];
}

async function runPart(part: Part, config: TributaryConfig, bare: Server): Promise<PartResult> {
  const home = await mkdtemp(join(tmpdir(), `tributary-bench-${part}-`));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  // Forwarded hits go to the bare server (it answers 204 to anything): no real Google, no retry storms.
  const platform = await startLocalPlatform({ settings: { home, port: 0, logLevel: "ERROR", gaEndpoint: bareUrl }, config });
  const targets = targetsOf(platform, bareUrl);
  const results = new Map<string, Measured[]>();
  const drainRates = new Map<string, number[]>();
  const fsyncMs = [await fsyncLatencyMs(home)];
  try {
    if (part === "endpoint") await setConsumers(platform, [...platform.queues.keys()], false);
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        // In-process, the previous run's records may still be linking or forwarding: each run starts quiet.
        if (part === "in-process") for (const name of platform.queues.keys()) await drained(platform, name);
        // Dirty pages left by the previous run's bronze files would be flushed by this run's journal fsyncs (ext4
        // commits them together): every run, the bare one included, starts with them on disk.
        spawnSync("sync");
        const r = await measure(target);
        results.set(target.name, [...(results.get(target.name) ?? []), r]);
        console.error(`  ${part} round ${round + 1}: ${target.name}: ${r.rps.toFixed(0)} req/s`);
        if (part !== "endpoint" || !target.queue) continue;
        // Not measured: the consumers land (or forward) what the run queued, then are disabled again. A backlog
        // left in memory would slow the next run (a bigger heap to collect), so the forward queue is emptied too.
        for (const queue of [target.queue, ...(target.alsoFills ? [target.alsoFills] : [])]) {
          const backlog = platform.queues.get(queue)!.depth().visible;
          await setConsumers(platform, [queue], true);
          const seconds = await drained(platform, queue);
          await setConsumers(platform, [queue], false);
          drainRates.set(queue, [...(drainRates.get(queue) ?? []), backlog / seconds]);
        }
      }
    }
    fsyncMs.push(await fsyncLatencyMs(home));
    if (part === "endpoint") await setConsumers(platform, ["stream-records", "ga-hits"], true);
    for (const target of targets) if (target.queue) await drained(platform, target.queue);
    const checks = await checkBronze(platform, config, targets, results);
    return { results, targets, drainRates, fsyncMs, checks };
  } finally {
    await platform.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * Every accepted record is in bronze exactly once: the queue took one message per accepted request (at least
 * what autocannon counted as 2xx, at most that plus the requests in flight when it stopped counting), each was
 * delivered once (received = sent) and landed as one row, none quarantined; GA events keep distinct ids.
 */
async function checkBronze(platform: LocalPlatform, config: TributaryConfig, targets: Target[], results: Map<string, Measured[]>): Promise<string[]> {
  const lake = await openLakeQuery(platform.ports.lake, config);
  const checks: string[] = [];
  try {
    for (const target of targets) {
      if (!target.queue) continue;
      const dataset = target.queue === "stream-records" ? "user_events" : "ga_events";
      const stats = platform.queues.get(target.queue)!.stats();
      const runs = results.get(target.name)!;
      const answered = runs.reduce((n, r) => n + r.ok, 0);
      const [row] = await lake.query(`SELECT count(*) AS n, count(DISTINCT _record_id) AS ids FROM bronze.${dataset}`);
      const [quarantined] = await lake.query(`SELECT count(*) AS n FROM quarantine.${dataset}`);
      const rows = Number(row!.n);
      const problems = [
        stats.sent < answered || stats.sent > answered + CONNECTIONS * runs.length ? `queued ${stats.sent} for ${answered} answered` : "",
        stats.received !== stats.sent ? `received ${stats.received} of ${stats.sent} (redelivered or left)` : "",
        rows !== stats.sent ? `${rows} bronze rows for ${stats.sent} accepted` : "",
        dataset === "ga_events" && Number(row!.ids) !== rows ? `${Number(row!.ids)} distinct ids in ${rows} rows` : "",
        Number(quarantined!.n) !== 0 ? `${Number(quarantined!.n)} quarantined` : "",
      ].filter(Boolean);
      checks.push(`${target.name}: ${stats.sent} accepted (${answered} counted as 2xx by autocannon), ${rows} rows in bronze.${dataset}: ${problems.length === 0 ? "0 lost, 0 duplicated" : `FAILED: ${problems.join("; ")}`}`);
      if (problems.length > 0) process.exitCode = 1;
    }
  } finally {
    await lake.close();
  }
  return checks;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function table(part: PartResult, consumers: string): string[] {
  const baseline = mean(part.results.get(part.targets[0]!.name)!.map((r) => r.rps));
  return [
    "| target | consumers during the run | req/s (mean) | × bare | p99 ms | non-2xx | errors |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...part.targets.map((t) => {
      const runs = part.results.get(t.name)!;
      const rps = mean(runs.map((r) => r.rps));
      const sum = (f: (r: Measured) => number) => runs.reduce((n, r) => n + f(r), 0);
      return `| ${t.name} | ${t.queue ? consumers : "—"} | ${rps.toFixed(0)} | ${(rps / baseline).toFixed(2)} | ${Math.max(...runs.map((r) => r.p99)).toFixed(0)} | ${sum((r) => r.non2xx)} | ${sum((r) => r.errors)} |`;
    }),
  ];
}

export async function benchIngestEndpoints(): Promise<string> {
  const bare = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const config = parseConfig(shipped);
  let endpoint: PartResult;
  let inProcess: PartResult;
  try {
    endpoint = await runPart("endpoint", config, bare);
    inProcess = await runPart("in-process", config, bare);
  } finally {
    bare.close();
  }
  const fsync = (p: PartResult) => p.fsyncMs.map((ms) => ms.toFixed(2)).join(" → ");
  return [
    `Machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ROUNDS} alternating rounds × ${SECONDS}s, ${CONNECTIONS} connections, loopback.`,
    "",
    "**Endpoint alone** (no consumer runs during a measurement; between runs the queues are drained, link excepted):",
    "",
    ...table(endpoint, "none"),
    "",
    ...[...endpoint.drainRates].map(([queue, rates]) => `- draining ${queue} between runs (link disabled): ${mean(rates).toFixed(0)} messages/s`),
    `- fsync (4 KiB append + fdatasync, median of 200) at start → end: ${fsync(endpoint)} ms`,
    ...endpoint.checks.map((c) => `- ${c}`),
    "",
    "**With the in-process consumers** (bronze, link and GA forwarding share the process during the run):",
    "",
    ...table(inProcess, "all, in process"),
    "",
    `- fsync at start → end: ${fsync(inProcess)} ms`,
    ...inProcess.checks.map((c) => `- ${c}`),
  ].join("\n");
}
