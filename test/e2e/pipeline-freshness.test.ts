/**
 * Measured freshness of the whole pipeline under a short load (issue #9), asserted against generous bounds only
 * (precise figures belong to the benchmarks): probe events of new customers — over the streams API and GA, sent
 * while every source is busy — show in the real-time report API within 30 s at p50 and p95, and the run's last
 * event is in a gold version within 120 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeQuery } from "@tributary/core/catalog";
import { runMedallionLocally } from "@tributary/core/local";
import { driveLive } from "../../packages/cli/src/demo-drive";
import { goldFreshness } from "../../packages/cli/src/demo-freshness";
import { goldHasEntity } from "../../packages/cli/src/demo-medallion";
import { waitForReconciliation } from "../../packages/cli/src/demo-reconcile";
import { closeDemoSession, openDemoSession } from "../../packages/cli/src/demo-session";
import { demoSizes } from "../../packages/cli/src/demo-sizes";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";

const RUN = "e2e-freshness-1";
const SIZES = { ...demoSizes(1), driveMs: 4_000, userEvents: 120, userUtm: 20, gaHits: 30, files: 1, fileRows: 40, cdcChanges: 20, probes: 12 };
const REPORT_BOUND_S = 30;
const GOLD_BOUND_S = 120;

describe("pipeline freshness", () => {
  let env: PlatformWithGoogle;
  beforeAll(async () => {
    env = await startPlatformWithGoogle();
  });
  afterAll(async () => env?.dispose());

  it(`shows events in the report API within ${REPORT_BOUND_S} s (p50, p95) and in gold within ${GOLD_BOUND_S} s`, async () => {
    // Prepare
    const { platform } = env;
    const openLake = () => openLakeQuery(platform.ports.lake, platform.config);
    const session = await openDemoSession(platform, platform.config, RUN, { timeoutMs: REPORT_BOUND_S * 1000 });

    // Act: every source busy, probes spread over the drive, then the last event and gold
    await driveLive({ ...session, sizes: SIZES, lake: platform.ports.lake });
    const report = await closeDemoSession(session);
    await waitForReconciliation(session.tally, platform.config, openLake, { timeoutMs: 30_000 });
    const last = session.probes.last();
    const gold = last ? await goldFreshness(last, async () => void (await runMedallionLocally(platform.ports)), (entity) => goldHasEntity(openLake, entity)) : undefined;

    // Assess
    expect(session.probes.failures).toEqual([]);
    expect(report.count).toBe(SIZES.probes + 1);
    expect(new Set(session.probes.samples.map((s) => s.via))).toEqual(new Set(["stream", "ga"]));
    expect(report.p50).toBeLessThan(REPORT_BOUND_S);
    expect(report.p95).toBeLessThan(REPORT_BOUND_S);
    expect(gold?.seconds).toBeLessThan(GOLD_BOUND_S);
  }, 60_000);
});
