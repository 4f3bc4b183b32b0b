/**
 * The CDC slice as a user meets it locally: the platform starts with the embedded stand-in seeded, the
 * cdc-poll schedule runs (here on demand, as its timer would), SQL Server-shaped changes land in bronze and
 * are queryable, and the offsets say how far each table got.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeGenerator, listOffsets } from "@tributary/core/cdc";
import { EMBEDDED_SEED_ROWS } from "@tributary/core/local";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("CDC slice", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => platform?.dispose());

  it("snapshots the seeded tables, then lands inserts, updates and deletes from the schedule's polls", async () => {
    // Prepare
    const source = (await platform.changeSources.embedded("backend"))!;
    const generator = new ChangeGenerator(source, platform.config, { seed: 11 });

    // Act
    await platform.runSchedule("cdc-poll-backend");
    const made = await generator.step(30);
    await platform.runSchedule("cdc-poll-backend");

    // Assess
    const ops = await platform.query("SELECT _op, count(*)::INTEGER AS n FROM bronze.orders GROUP BY _op ORDER BY _op");
    const byOp = Object.fromEntries(ops.map((r) => [r._op, r.n]));
    expect(byOp.snapshot).toBe(EMBEDDED_SEED_ROWS);
    expect((byOp.insert ?? 0) + (byOp.update_after ?? 0) + (byOp.delete ?? 0)).toBeGreaterThan(0);
    expect(made.inserts + made.updates + made.deletes).toBeGreaterThan(20);
    const offsets = await listOffsets(platform.ports, "backend");
    expect(offsets.map((o) => [o.table, o.snapshot.status, o.resume?.kind, o.lagSeconds])).toEqual([
      ["customers", "done", "after", 0],
      ["orders", "done", "after", 0],
    ]);
  });

  it("answers cdc status and takes a requested snapshot through the local admin routes", async () => {
    // Prepare
    await platform.runSchedule("cdc-poll-backend");
    const rowsNow = await (await platform.changeSources.embedded("backend"))!.countRows("dbo.customers");

    // Act
    const requested = await platform.post("/_local/cdc/snapshot/backend", { tables: ["customers"] });
    const unknown = await platform.post("/_local/cdc/snapshot/backend", { tables: ["nope"] });
    let customers: { snapshot: string; problems: string } | undefined;
    for (let i = 0; i < 100 && !customers?.snapshot.includes("requested"); i += 1) {
      const status = (await (await fetch(`${platform.url}/_local/cdc/status`)).json()) as { offsets: { table: string; snapshot: string; problems: string }[] };
      customers = status.offsets.find((o) => o.table === "customers" && o.snapshot.startsWith("done"));
      await new Promise((r) => setTimeout(r, 100));
    }

    // Assess
    expect(requested.status).toBe(202);
    expect(unknown).toMatchObject({ status: 400, body: { error: expect.stringContaining("has no table nope") } });
    expect(customers).toMatchObject({ snapshot: expect.stringMatching(/^done \(\d+ rows, requested\)$/), problems: "" });
    const snapshots = await platform.query("SELECT count(*)::INTEGER AS n FROM bronze.customers WHERE _op = 'snapshot'");
    expect(snapshots[0]!.n).toBe(EMBEDDED_SEED_ROWS + rowsNow);
  });
});
