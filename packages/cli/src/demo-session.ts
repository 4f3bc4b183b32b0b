/**
 * One demo run against a running local platform: its flows and their counts, the HTTP sender, the freshness
 * probes and the CDC drivers with their LSN window opened. The demo builds one, and so do the end-to-end tests
 * that drive the same pipeline (`test/e2e/pipeline-*.test.ts`).
 */
import type { TributaryConfig } from "@tributary/core/config";
import type { LocalPlatform } from "@tributary/core/local";
import { CdcDriver } from "./demo-cdc";
import { ReportProbes, type FreshnessSummary, type ProbeOptions } from "./demo-freshness";
import { DemoSender } from "./demo-send";
import { declareRunFlows, DemoTally } from "./demo-tally";

export interface DemoSession {
  run: string;
  tally: DemoTally;
  sender: DemoSender;
  probes: ReportProbes;
  cdc: CdcDriver[];
}

/**
 * Declares the run's flows, and lands what the SQL Server stand-ins hold before the run (the initial snapshot on a
 * fresh home) so the run's CDC window holds only its own changes.
 *
 * @example const session = await openDemoSession(platform, config, "demo-20261121101553-3f9a");
 */
export async function openDemoSession(platform: LocalPlatform, config: TributaryConfig, run: string, probeOptions: ProbeOptions = {}): Promise<DemoSession> {
  const tally = new DemoTally();
  declareRunFlows(tally, config, run);
  const sender = new DemoSender(platform, tally);
  const probes = new ReportProbes(platform, sender, run, probeOptions);
  const cdc = await CdcDriver.openAll(platform, config, tally);
  for (const driver of cdc) await driver.openWindow();
  return { run, tally, sender, probes, cdc };
}

/**
 * Ends the run's sending: one last probe (the run's last event, which event → gold is measured from), every
 * probe's report awaited, and the CDC windows closed once the poller has read past them.
 */
export async function closeDemoSession(session: DemoSession): Promise<FreshnessSummary> {
  await session.probes.send();
  const freshness = await session.probes.settle();
  for (const driver of session.cdc) await driver.closeWindow();
  return freshness;
}
