/**
 * The whole pipeline under a short load, reconciled (issue #9): stream records (a few invalid), GA hits (a few
 * refused), partner files with bad rows and SQL Server changes are sent at once by the demo's drivers. Every flow
 * reconciles — sent = refused at the edge + landed in bronze + quarantined, nothing missing, nothing unexpected —
 * and after the medallion workflow silver holds each record once: as many distinct keys as rows in every dataset,
 * every accepted stream record of the run, and the source's tables exactly as they are now (CDC applied).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeQuery } from "@tributary/core/catalog";
import { datasets } from "@tributary/core/config";
import { runMedallionLocally } from "@tributary/core/local";
import { driveLive } from "../../packages/cli/src/demo-drive";
import { waitForReconciliation } from "../../packages/cli/src/demo-reconcile";
import { closeDemoSession, openDemoSession, type DemoSession } from "../../packages/cli/src/demo-session";
import { demoSizes } from "../../packages/cli/src/demo-sizes";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";

const RUN = "e2e-reconcile-1";
const SIZES = { ...demoSizes(1), driveMs: 3_000, userEvents: 150, userUtm: 30, gaHits: 45, files: 2, fileRows: 60, cdcChanges: 40, probes: 2 };

describe("pipeline reconciliation", () => {
  let env: PlatformWithGoogle;
  let session: DemoSession;
  beforeAll(async () => {
    env = await startPlatformWithGoogle();
  });
  afterAll(async () => env?.dispose());

  it("accounts for every record sent on every flow: landed or quarantined, once", async () => {
    // Prepare
    const { platform } = env;
    session = await openDemoSession(platform, platform.config, RUN);

    // Act
    await driveLive({ ...session, sizes: SIZES, lake: platform.ports.lake });
    await closeDemoSession(session);
    const lines = await waitForReconciliation(session.tally, platform.config, () => openLakeQuery(platform.ports.lake, platform.config), { timeoutMs: 45_000 });

    // Assess
    expect(lines.map((l) => l.flow).sort()).toEqual(["cdc backend", "ga_events", "lab_results", "user_events", "user_utm"]);
    for (const line of lines) expect(line, line.flow).toMatchObject({ missing: 0, unexpected: 0, ok: true });
    const byFlow = Object.fromEntries(lines.map((l) => [l.flow, l]));
    expect(byFlow.user_events!.refused).toBeGreaterThan(0);
    expect(byFlow.ga_events!.refused).toBeGreaterThan(0);
    expect(byFlow.lab_results!).toMatchObject({ sent: 2 * 62, landed: 2 * 60, quarantined: 2 * 2 });
    expect(byFlow["cdc backend"]!.sent).toBeGreaterThan(SIZES.cdcChanges);
  }, 60_000);

  it("merges it into silver with one row per key, and silver equals the source's tables", async () => {
    // Prepare
    const { platform } = env;
    const accepted = session.tally.countOf("user_events");
    const source = session.cdc[0]!.embedded;

    // Act
    const run = await runMedallionLocally(platform.ports);

    // Assess
    expect(run.status).toBe("SUCCEEDED");
    for (const dataset of datasets(platform.config)) {
      const key = (dataset.primaryKey.length > 0 ? dataset.primaryKey : ["_record_id"]).map((k) => `"${k}"`).join(", ");
      const [counts] = await platform.query(`SELECT (SELECT count(*) FROM silver.${dataset.name}) AS rows, (SELECT count(*) FROM (SELECT DISTINCT ${key} FROM silver.${dataset.name})) AS keys`);
      expect(Number(counts!.rows), dataset.name).toBeGreaterThan(0);
      expect(Number(counts!.keys), dataset.name).toBe(Number(counts!.rows));
    }
    const [events] = await platform.query(`SELECT count(*) AS n FROM silver.user_events WHERE starts_with(request_id, '${RUN}-')`);
    expect(Number(events!.n)).toBe(accepted.sent - accepted.refused);
    for (const [table, columns] of [["dbo.orders", "order_id, customer_id, status"], ["dbo.customers", "customer_id, country"]] as const) {
      const inSource = (await source.db.query<Record<string, unknown>>(`SELECT ${columns} FROM ${table} ORDER BY 1`)).rows.map((r) => Object.values(r).map(String).join("|"));
      const inSilver = (await platform.query(`SELECT ${columns} FROM silver.${table.slice(4)} ORDER BY 1`)).map((r) => Object.values(r).map(String).join("|"));
      expect(inSilver, table).toEqual(inSource);
    }
  }, 60_000);
});
