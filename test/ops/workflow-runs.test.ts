/**
 * The workflow run store: records list newest first, a started run reads RUNNING until it is finished, old
 * records are pruned, and a record that does not parse is refused with its key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileSystemLakeStore } from "@tributary/core/lake";
import { finishWorkflowRun, InvalidOpsOptionError, InvalidWorkflowRunError, listWorkflowRuns, startWorkflowRun, workflowRunKey, WORKFLOW_RUNS_PREFIX } from "@tributary/core/ops";

const dirs: string[] = [];
async function emptyLake(): Promise<FileSystemLakeStore> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-runs-"));
  dirs.push(dir);
  return new FileSystemLakeStore(dir);
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const at = (hhmm: string) => new Date(`2026-11-21T${hhmm}:00Z`);

describe("workflow runs", () => {
  it("lists runs newest first, a started run as RUNNING until it ends", async () => {
    // Prepare
    const lake = await emptyLake();
    const first = await startWorkflowRun(lake, "medallion", at("08:00"));
    await finishWorkflowRun(lake, first, { status: "SUCCEEDED", silverPublished: ["orders", "customers", "orders"], goldPublished: ["daily_kpis"], error: null, note: null }, at("08:02"));
    await startWorkflowRun(lake, "medallion", at("09:00"));
    await startWorkflowRun(lake, "other", at("09:30"));

    // Act
    const runs = await listWorkflowRuns(lake, "medallion", 10);
    const newest = await listWorkflowRuns(lake, "medallion", 1);

    // Assess
    expect(runs.map((r) => [r.startedAt, r.endedAt, r.status])).toEqual([
      ["2026-11-21T09:00:00.000Z", null, "RUNNING"],
      ["2026-11-21T08:00:00.000Z", "2026-11-21T08:02:00.000Z", "SUCCEEDED"],
    ]);
    expect(runs[1]).toMatchObject({ workflow: "medallion", silverPublished: ["customers", "orders"], goldPublished: ["daily_kpis"], error: null });
    expect(runs[1]!.runId).toMatch(/^20261121T080000000Z-[0-9a-f]{4}$/);
    expect(workflowRunKey(runs[1]!)).toBe(`${WORKFLOW_RUNS_PREFIX}medallion/${9_999_999_999_999 - at("08:00").getTime()}-${runs[1]!.runId}.json`);
    expect(newest.map((r) => r.startedAt)).toEqual(["2026-11-21T09:00:00.000Z"]);
  });

  it("keeps only the newest runs when a new one starts", async () => {
    // Prepare
    const lake = await emptyLake();
    for (const time of ["08:00", "08:10", "08:20"]) await startWorkflowRun(lake, "medallion", at(time), { keep: 2 });

    // Act
    await startWorkflowRun(lake, "medallion", at("08:30"), { keep: 2 });

    // Assess
    expect((await listWorkflowRuns(lake, "medallion", 10)).map((r) => r.startedAt)).toEqual(["2026-11-21T08:30:00.000Z", "2026-11-21T08:20:00.000Z"]);
    await expect(startWorkflowRun(lake, "medallion", at("08:40"), { keep: 0 })).rejects.toThrow(InvalidOpsOptionError);
  });

  it("refuses a record that is not a run, naming its key", async () => {
    // Prepare
    const lake = await emptyLake();
    await lake.put(`${WORKFLOW_RUNS_PREFIX}medallion/1-x.json`, JSON.stringify({ workflow: "medallion", status: "DONE" }));

    // Act
    const listing = listWorkflowRuns(lake, "medallion", 10);

    // Assess
    await expect(listing).rejects.toThrow(InvalidWorkflowRunError);
    await expect(listWorkflowRuns(lake, "medallion", 10)).rejects.toThrow(/_ops\/workflow-runs\/medallion\/1-x\.json is not a valid workflow run record: .*status/);
  });
});
