/**
 * Requests/s of the stream endpoint and of /mp/collect on the local platform, side by side in ONE run with a
 * bare Node `http` server answering 204 on the same machine (the baseline). Rounds alternate A/B/C so a noisy
 * neighbour hurts all three alike; the ratio is what we report. Loopback only, bounded in time.
 *
 * Run: npm run bench -- ingest   (options: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { parseConfig } from "@tributary/core/config";
import { startLocalPlatform } from "@tributary/core/local";
import shipped from "../tributary.config";

const AUTOCANNON_BIN = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * autocannon runs in its own process: in the servers' process its client work would share their event loop
 * and understate every target (the bare server most of all).
 */
async function measure(target: Target): Promise<{ rps: number; p99: number; non2xx: number; errors: number }> {
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
  const result = JSON.parse(out) as { requests: { average: number }; latency: { p99: number }; non2xx: number; errors: number };
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
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
  const home = await mkdtemp(join(tmpdir(), "tributary-bench-"));
  const config = parseConfig(shipped);
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  // Forwarded hits go to the bare server (it answers 204 to anything): no real Google, no retry storms.
  const platform = await startLocalPlatform({ settings: { home, port: 0, logLevel: "ERROR", gaEndpoint: bareUrl }, config });
  const { apiKey, gaMeasurementId, gaApiSecret } = platform.credentials;
  const json = { "content-type": "application/json" };
  const targets: Target[] = [
    { name: "bare node http 204", url: `${bareUrl}/`, headers: json, body: "{}" },
    {
      name: "POST /v1/streams/user_events/records",
      url: `${platform.url}/v1/streams/user_events/records`,
      headers: { ...json, "x-api-key": apiKey },
      body: JSON.stringify({ request_id: "bench", request_timestamp: new Date().toISOString(), topic: "page_view", cookie_id: "c.1" }),
    },
    {
      name: "POST /mp/collect (GA4, 1 event)",
      url: `${platform.url}/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`,
      headers: json,
      body: JSON.stringify({ client_id: "123.456", events: [{ name: "page_view", params: { page_location: "https://example.com/kits", session_id: "1", engagement_time_msec: 100 } }] }),
    },
  ];
  const results = new Map<string, { rps: number[]; p99: number[]; non2xx: number; errors: number }>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const r = await measure(target);
        const acc = results.get(target.name) ?? { rps: [], p99: [], non2xx: 0, errors: 0 };
        acc.rps.push(r.rps);
        acc.p99.push(r.p99);
        acc.non2xx += r.non2xx;
        acc.errors += r.errors;
        results.set(target.name, acc);
        console.error(`  round ${round + 1}: ${target.name}: ${r.rps.toFixed(0)} req/s`);
      }
    }
  } finally {
    await platform.stop();
    bare.close();
    await rm(home, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = mean(results.get(targets[0]!.name)!.rps);
  const lines = [
    `Machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ROUNDS} alternating rounds × ${SECONDS}s, ${CONNECTIONS} connections, loopback.`,
    "",
    "| target | req/s (mean) | × bare | p99 ms | non-2xx | errors |",
    "|---|---:|---:|---:|---:|---:|",
    ...targets.map((t) => {
      const r = results.get(t.name)!;
      return `| ${t.name} | ${mean(r.rps).toFixed(0)} | ${(mean(r.rps) / baseline).toFixed(2)} | ${Math.max(...r.p99).toFixed(0)} | ${r.non2xx} | ${r.errors} |`;
    }),
  ];
  return lines.join("\n");
}
