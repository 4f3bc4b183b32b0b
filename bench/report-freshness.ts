/**
 * Freshness of the real-time report (issue #6): from the moment the events API accepted a record (its 202) to the
 * moment its effect is in the report API, over a few thousand records sent at a steady rate to the local platform.
 * Records are `user_events` hits of customers (user_account_id); a customer's report `as_of` — written once the
 * link step applied its last record — dates that record's effect. Side by side in the same run: accepted → the record's
 * bronze batch (`_ingested_at`), the part the queue and its batching window take. Goal: p95 < 1 s.
 *
 * Run: npm run bench -- freshness   (BENCH_FRESHNESS_EVENTS default 3000, BENCH_FRESHNESS_RATE default 200 per second,
 * BENCH_FRESHNESS_PROFILE=shipped|realtime for one batching profile only, BENCH_FRESHNESS_WORKLOAD=returning (default:
 * three records per customer spread over the run, the last one measured) | new (a new customer per record))
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { openLakeQuery } from "../packages/core/src/catalog";
import { parseConfig } from "../packages/core/src/config";
import { startLocalPlatform } from "../packages/core/src/local";
import shipped from "../tributary.config";

const EVENTS = Number(process.env.BENCH_FRESHNESS_EVENTS ?? 3000);
const RATE = Number(process.env.BENCH_FRESHNESS_RATE ?? 200);
const GOAL_P95_MS = 1000;
const WORKLOAD = process.env.BENCH_FRESHNESS_WORKLOAD === "new" ? "new" : "returning";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The shipped batching (500 records / 1 s window) and the real-time one (10 / 0), each on its own platform. */
const PROFILES: { name: string; batchSize: number; windowSeconds: number }[] = [
  { name: "shipped config: bronze batches of 500, 1 s window", batchSize: 500, windowSeconds: 1 },
  { name: "real-time batching: bronze batches of 10, no window", batchSize: 10, windowSeconds: 0 },
];

export async function benchReportFreshness(): Promise<string> {
  const sections: string[] = [];
  // BENCH_FRESHNESS_PROFILE=realtime|shipped runs one profile only (e.g. under a profiler).
  const only = process.env.BENCH_FRESHNESS_PROFILE;
  for (const profile of PROFILES.filter((p) => !only || p.name.startsWith(only === "realtime" ? "real-time" : "shipped"))) {
    console.error(`  ${profile.name}`);
    sections.push(`**${profile.name}** (\`settings.bronze.queueBatchSize: ${profile.batchSize}, queueBatchWindowSeconds: ${profile.windowSeconds}\`)\n\n${await measure(profile.batchSize, profile.windowSeconds)}`);
  }
  return sections.join("\n\n");
}

async function measure(batchSize: number, windowSeconds: number): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "tributary-bench-fresh-"));
  const input = structuredClone(shipped) as unknown as { settings?: Record<string, unknown> };
  input.settings = { ...input.settings, bronze: { queueBatchSize: batchSize, queueBatchWindowSeconds: windowSeconds } };
  const config = parseConfig(input);
  const platform = await startLocalPlatform({ settings: { home, port: 0, logLevel: "ERROR" }, config, log: (l) => (l.startsWith("local:") ? console.error(l) : undefined) });
  const run = Date.now().toString(36);
  const accepted = new Map<string, number>();
  try {
    const headers = { "content-type": "application/json", "x-api-key": platform.credentials.apiKey };
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    // "new": every record is a new customer (a merge per record, the link step's worst case). "returning": each
    // customer sends three records spread over the run; only its last one is measured (its as_of dates it).
    const customers = WORKLOAD === "new" ? EVENTS : Math.ceil(EVENTS / 3);
    for (let i = 0; i < EVENTS; i += 1) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const customer = `fr-${run}-${i % customers}`;
      const body = { request_id: `${customer}-r${i}`, request_timestamp: new Date().toISOString(), cookie_id: `${customer}-c`, topic: "page", user_account_id: customer, location: "https://shop.example.com/?utm_source=bench" };
      sends.push(
        fetch(`${platform.url}/v1/streams/user_events/records`, { method: "POST", headers, body: JSON.stringify(body) }).then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`bench: record ${i} answered ${res.status}`);
          if (i + customers >= EVENTS) accepted.set(customer, Date.now()); // the customer's last record

        }),
      );
    }
    await Promise.all(sends);
    const sendSeconds = (performance.now() - t0) / 1000;
    console.error(`  sent ${EVENTS} records in ${sendSeconds.toFixed(1)} s; waiting for their reports`);

    const toReport: number[] = [];
    const pending = new Set(accepted.keys());
    const deadline = Date.now() + 120_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const customer of [...pending]) {
        const res = await fetch(`${platform.url}/v1/reports/customers/${customer}`, { headers });
        const body = (await res.json()) as { as_of?: string };
        if (res.status !== 200 || !body.as_of) continue;
        toReport.push(Date.parse(body.as_of) - accepted.get(customer)!);
        pending.delete(customer);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    if (pending.size > 0) throw new Error(`bench: ${pending.size} records never reached the report API`);

    const lake = await openLakeQuery(platform.ports.lake, config);
    const landed = await lake.query(`SELECT user_account_id, max(epoch_ms(_ingested_at)) AS at FROM bronze.user_events WHERE user_account_id LIKE 'fr-${run}-%' GROUP BY ALL`);
    await lake.close();
    const toBronze = landed.map((r) => Number(r.at) - accepted.get(String(r.user_account_id))!);
    return report(toBronze, toReport, sendSeconds);
  } finally {
    await platform.stop();
    await rm(home, { recursive: true, force: true });
  }
}

function report(toBronze: number[], toReport: number[], sendSeconds: number): string {
  const row = (name: string, values: number[], goal: string) => {
    const s = [...values].sort((a, b) => a - b);
    return `| ${name} | ${s.length} | ${percentile(s, 50)} | ${percentile(s, 95)} | ${percentile(s, 99)} | ${s[s.length - 1]} | ${goal} |`;
  };
  const p95 = percentile([...toReport].sort((a, b) => a - b), 95);
  return [
    `Machine: ${cpus().length} vCPU ${cpus()[0]?.model.trim() ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ${EVENTS} user_events records at ${RATE}/s (sent in ${sendSeconds.toFixed(1)} s), workload "${WORKLOAD}" (${WORKLOAD === "new" ? "a new customer per record" : "three records per customer, the last one measured"}), local platform, one process.`,
    "",
    "| from the 202 to | records | p50 ms | p95 ms | p99 ms | max ms | goal p95 < 1 s |",
    "|---|---:|---:|---:|---:|---:|---|",
    row("its bronze batch started (`_ingested_at`; baseline: queue + batching window)", toBronze, "—"),
    row("its effect in the report API (`as_of`)", toReport, p95 < GOAL_P95_MS ? "met" : "not met"),
  ].join("\n");
}
