/**
 * `npm run demo [-- --scale <n>]`: starts the local platform and drives every source live for a while — stream
 * records, GA hits (forwarded to a loopback Google stand-in), partner files with bad rows, SQL Server changes
 * from the embedded stand-in — with a progress line. Then it prints what landed, a sample customer's real-time
 * report linked across all sources, gold built by the medallion workflow and queried by SQL, a reconciliation
 * table per flow (sent = refused + landed + quarantined, this run's records only) and measured freshness
 * (event → report API, event → gold). Exits non-zero when a flow does not reconcile or a probe never shows.
 * Runs again happily in the same TRIBUTARY_HOME: each run tags its records with its own run id.
 */
import { randomBytes } from "node:crypto";
import { Presets, SingleBar } from "cli-progress";
import { openLakeQuery } from "@tributary/core/catalog";
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { assertReconciled } from "@tributary/core/reconcile";
import { loadConfig } from "./load-config";
import { driveLive } from "./demo-drive";
import { demoEdge } from "./demo-edge";
import type { FreshnessSummary } from "./demo-freshness";
import { demoMedallion, showGold } from "./demo-medallion";
import { formatReconciliation, waitForReconciliation } from "./demo-reconcile";
import { demoReport } from "./demo-report";
import { showBronze, showCdc } from "./demo-show";
import { demoSizes, describeSizes } from "./demo-sizes";
import { closeDemoSession, openDemoSession } from "./demo-session";
import type { DemoTally } from "./demo-tally";
import { startGoogleStandIn } from "./google-stand-in";
import { formatTable } from "./table";

const RECONCILE_WAIT_MS = 120_000;

export interface DemoOptions {
  /** Sizes the sample data (`--scale`); 1 keeps the demo around 10–20 s. */
  scale?: number;
}

/** A run id no earlier run in the same home has: the time, and a random suffix for two runs in one second. */
export function demoRunId(now = new Date()): string {
  return `demo-${now.toISOString().replace(/\D/g, "").slice(0, 14)}-${randomBytes(2).toString("hex")}`;
}

export async function runDemo(settings: LocalSettings, configPath: string, options: DemoOptions = {}): Promise<void> {
  const { config } = await loadConfig(configPath);
  const sizes = demoSizes(options.scale ?? 1);
  // A busy 8787 (a `tributary dev` already running) must not fail the demo: use any free port unless one is set.
  const port = process.env.TRIBUTARY_PORT ? settings.port : 0;
  // Offline machines cannot reach Google: unless an endpoint is set, forwarding goes to a loopback stand-in.
  const google = process.env.TRIBUTARY_GA_ENDPOINT ? undefined : await startGoogleStandIn();
  const gaEndpoint = google?.endpoint ?? settings.gaEndpoint;
  const platform = await startLocalPlatform({ settings: { ...settings, port, ...(gaEndpoint ? { gaEndpoint } : {}) }, config, log: console.log });
  const openLake = () => openLakeQuery(platform.ports.lake, config);
  const run = demoRunId();
  const started = Date.now();
  try {
    console.log(`\n▶ run ${run} — ${describeSizes(sizes)}`);
    const session = await openDemoSession(platform, config, run);
    const { tally, sender, probes, cdc } = session;

    await demoEdge(run, sender, tally, platform.ports.lake);
    for (const driver of cdc) {
      const instance = await driver.schemaChangeOnce();
      if (instance) console.log(`\n▶ CDC schema change: orders gained column "channel" → new capture instance ${instance} (the poller switches to it)`);
    }
    console.log(`\n▶ live: every source at once for ~${Math.round(sizes.driveMs / 1000)} s`);
    await withDriveProgress(tally, sizes.driveMs, () => driveLive({ run, sizes, sender, tally, lake: platform.ports.lake, cdc, probes }));

    const sampleEntity = await demoReport({ platform, config, run, sender, tally, cdc });
    const freshness = await closeDemoSession(session);

    console.log("\n▶ waiting until every record sent is in bronze or quarantine…");
    const lines = await waitForReconciliation(tally, config, openLake, { timeoutMs: RECONCILE_WAIT_MS, progress: true });
    const gold = await demoMedallion(platform, openLake, probes.last());

    const lake = await openLake();
    try {
      await showBronze(run, lake);
      for (const driver of cdc) await showCdc(platform, driver, lake);
    } finally {
      await lake.close();
    }
    if (google) console.log(`\n▶ forwarded to the Google stand-in (${google.endpoint}): ${google.events(run)} events of this run so far (UA mapped to GA4)`);
    await showGold(openLake, sampleEntity);

    console.log(`\n▶ reconciliation of run ${run}: sent = refused at the edge + landed in bronze + quarantined`);
    console.log(formatReconciliation(lines));
    console.log(`\n▶ measured freshness (wall clock on this machine)`);
    console.log(formatTable(freshnessRows(freshness, gold)));
    for (const failure of probes.failures) console.log(`  ✗ ${failure}`);

    assertReconciled(lines);
    if (probes.failures.length > 0) throw new Error(`demo: ${probes.failures.length} freshness probe(s) of run ${run} never showed in the report`);
    console.log(`\n✔ demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. Query more: npx tributary query "SELECT count(*) AS n FROM bronze.user_events"`);
  } finally {
    await platform.stop();
    await google?.stop();
  }
}

function freshnessRows(report: FreshnessSummary, gold: { seconds: number; runs: number } | undefined): Record<string, unknown>[] {
  const s = (n: number) => (Number.isNaN(n) ? "-" : n.toFixed(2));
  return [
    { path: "event → report API", samples: report.count, "p50 s": s(report.p50), "p95 s": s(report.p95), "max s": s(report.max), how: "probes via streams API and GA, report polled every 200 ms" },
    { path: "event → gold", samples: gold ? 1 : 0, "p50 s": gold ? s(gold.seconds) : "-", "p95 s": "-", "max s": gold ? s(gold.seconds) : "-", how: gold ? `last event → gold version with it (${gold.runs} workflow run${gold.runs === 1 ? "" : "s"})` : "no probe showed" },
  ];
}

/** A progress line while `drive` runs: seconds of the drive elapsed, and what each flow has sent so far. */
async function withDriveProgress<T>(tally: DemoTally, driveMs: number, drive: () => Promise<T>): Promise<T> {
  const bar = new SingleBar(
    { format: "  {bar} {value}/{total} s | {flows}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 },
    Presets.shades_classic,
  );
  const flows = () => tally.names().map((f) => `${f} ${tally.countOf(f).sent}`).join(" | ");
  const started = Date.now();
  bar.start(Math.round(driveMs / 1000), 0, { flows: flows() });
  // A drive the platform cannot keep up with runs over its plan: the bar's end moves with it.
  const tick = () => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    if (elapsed > bar.getTotal()) bar.setTotal(elapsed);
    bar.update(elapsed, { flows: flows() });
  };
  const timer = setInterval(tick, 250);
  try {
    return await drive();
  } finally {
    clearInterval(timer);
    tick();
    bar.stop();
  }
}
