/**
 * State machines started the way the wiring says, as `tributary dev` runs them: a partner file landing
 * (`file.ingested` on the bus) starts the medallion workflow through the wired Lambdas, with no call from the
 * test; the run merges the file's rows into silver and is recorded. A second start while one runs ends at once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readCurrentManifest } from "@tributary/core/medallion";
import { listWorkflowRuns } from "@tributary/core/ops";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const CSV = [
  "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id",
  "KIT-71,VITD,31.5,normal,2026-10-01T08:00:00Z,2026-10-02T09:00:00Z,lab-7",
  "KIT-72,B12,410,normal,2026-10-01T08:00:00Z,2026-10-02T10:00:00Z,lab-7",
].join("\n");

async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("test: timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local state machines", () => {
  let platform: TestPlatform | undefined;
  afterEach(async () => platform?.dispose());

  it("starts the medallion workflow when a partner file lands, and merges it into silver", async () => {
    // Prepare
    platform = await startTestPlatform({ startMachines: true });
    const lake = platform.ports.lake;

    // Act: only the file; the bus rule starts the workflow.
    await lake.put("landing/lab_results/auto-1.csv", CSV);
    const manifest = await until(async () => {
      const m = await readCurrentManifest(lake, "silver", "lab_results");
      return m && m.rows >= 2 ? m : undefined;
    });
    const [run] = await until(async () => {
      const runs = await listWorkflowRuns(lake, "medallion", 5);
      return runs.some((r) => r.status === "SUCCEEDED" && r.silverPublished.includes("lab_results")) ? runs : undefined;
    });

    // Assess
    expect(platform.triggers).toEqual(expect.arrayContaining(["machine medallion <- bus rule medallion-file-ingested"]));
    expect(manifest.added.some((k) => k.includes("lab_results"))).toBe(true);
    expect(run).toBeDefined();
    expect((await platform.query("SELECT count(*) AS n FROM silver.lab_results WHERE kit_barcode IN ('KIT-71', 'KIT-72')"))[0]?.n).toBe("2");
  });

  it("ends a second run at once while the first holds the lease", async () => {
    // Prepare
    platform = await startTestPlatform();
    await platform.ports.lake.put("landing/lab_results/auto-2.csv", CSV);
    await platform.waitForCount("SELECT count(*) FROM bronze.lab_results WHERE _file = 'landing/lab_results/auto-2.csv'", 2);

    // Act
    const [first, second] = await Promise.all([platform.runMachine("medallion"), platform.runMachine("medallion")]);

    // Assess: both succeed; exactly one did the work, the other ended at AnotherRunActive.
    expect([first.status, second.status]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const runs = await listWorkflowRuns(platform.ports.lake, "medallion", 5);
    expect(runs.filter((r) => r.silverPublished.includes("lab_results"))).toHaveLength(1);
    expect(runs.filter((r) => /another run holds the lease/.test(r.note ?? ""))).toHaveLength(1);
  });
});
