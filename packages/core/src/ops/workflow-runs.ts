/**
 * Records of workflow runs (the medallion state machine run locally): one small JSON object per run in the lake,
 * `_ops/workflow-runs/<workflow>/<inverted start ms>-<run id>.json`, written when the run starts (RUNNING) and
 * overwritten when it ends, whatever the ending — a run killed with its process stays RUNNING, which is the truth.
 *
 * Why the lake and not DynamoDB: every DynamoDB table is declared in the wiring and created (with IAM grants) by the
 * stacks, while the lake is already there in both modes and every medallion step can write it; the records are
 * plain JSON a person can open; and listing keys in order answers "the last N runs" without an index, because
 * the key starts with the inverted start time (newest first). On AWS, Step Functions keeps its own execution
 * history, which a deployed status would read instead. Athena never sees `_ops/`: no table points there.
 */
import { z } from "zod";
import type { LakeStore } from "../lake";
import { newVersionId } from "../medallion/layout";
import { InvalidOpsOptionError, InvalidWorkflowRunError, WorkflowRunRecordError } from "./errors";

export const WORKFLOW_RUNS_PREFIX = "_ops/workflow-runs/";
/** Runs kept per workflow; older records are deleted when a new run starts. */
export const WORKFLOW_RUNS_KEPT = 500;

export const WorkflowRunStatusSchema = z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);
export type WorkflowRunStatus = z.output<typeof WorkflowRunStatusSchema>;

export const WorkflowRunSchema = z
  .object({
    workflow: z.string().min(1),
    runId: z.string().min(1),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    status: WorkflowRunStatusSchema,
    /** Silver datasets / gold reports this run published a new version of (also when it failed later). */
    silverPublished: z.array(z.string()),
    goldPublished: z.array(z.string()),
    /** For runs that did not succeed: the error name and cause, as Step Functions reports them. */
    error: z.object({ error: z.string(), cause: z.string() }).nullable(),
    /** Anything else worth knowing, e.g. that the run did nothing because another one held the lease. */
    note: z.string().nullable(),
  })
  .strict();
export type WorkflowRun = z.output<typeof WorkflowRunSchema>;

export interface WorkflowRunOutcome {
  status: Exclude<WorkflowRunStatus, "RUNNING">;
  silverPublished: string[];
  goldPublished: string[];
  error: { error: string; cause: string } | null;
  note: string | null;
}

/** 13 digits of milliseconds (until the year 2286), so inverted times sort as text. */
const LATEST_MS = 9_999_999_999_999;

/** The run's record key: newest runs list first. */
export function workflowRunKey(run: Pick<WorkflowRun, "workflow" | "runId" | "startedAt">): string {
  const inverted = String(LATEST_MS - Date.parse(run.startedAt)).padStart(13, "0");
  return `${WORKFLOW_RUNS_PREFIX}${run.workflow}/${inverted}-${run.runId}.json`;
}

async function writeRun(lake: LakeStore, run: WorkflowRun, what: string): Promise<WorkflowRun> {
  const key = workflowRunKey(run);
  try {
    await lake.put(key, JSON.stringify(run, null, 2), { contentType: "application/json" });
  } catch (error) {
    throw new WorkflowRunRecordError(key, what, { cause: error });
  }
  return run;
}

/**
 * Records a run as started (RUNNING) and prunes the workflow's records beyond the newest `keep` (default {@link WORKFLOW_RUNS_KEPT}).
 *
 * @example const run = await startWorkflowRun(ports.lake, "medallion", new Date()); // run.status === "RUNNING"
 */
export async function startWorkflowRun(lake: LakeStore, workflow: string, now: Date, options: { keep?: number } = {}): Promise<WorkflowRun> {
  const keep = options.keep ?? WORKFLOW_RUNS_KEPT;
  if (!Number.isInteger(keep) || keep < 1) throw new InvalidOpsOptionError("keep", keep, "an integer of at least 1");
  const run: WorkflowRun = {
    workflow,
    runId: newVersionId(now, Math.random().toString(16).slice(2, 6).padEnd(4, "0")),
    startedAt: now.toISOString(),
    endedAt: null,
    status: "RUNNING",
    silverPublished: [],
    goldPublished: [],
    error: null,
    note: null,
  };
  await pruneRuns(lake, workflow, keep - 1);
  return writeRun(lake, run, `the start of ${workflow} run ${run.runId}`);
}

/**
 * Records how a started run ended (overwrites its RUNNING record).
 *
 * @example await finishWorkflowRun(ports.lake, run, { status: "SUCCEEDED", silverPublished: ["orders"], goldPublished: [], error: null, note: null }, new Date());
 */
export async function finishWorkflowRun(lake: LakeStore, run: WorkflowRun, outcome: WorkflowRunOutcome, now: Date): Promise<WorkflowRun> {
  const ended: WorkflowRun = {
    ...run,
    endedAt: now.toISOString(),
    status: outcome.status,
    silverPublished: [...new Set(outcome.silverPublished)].sort(),
    goldPublished: [...new Set(outcome.goldPublished)].sort(),
    error: outcome.error,
    note: outcome.note,
  };
  return writeRun(lake, ended, `the end (${outcome.status}) of ${run.workflow} run ${run.runId}`);
}

/**
 * The newest `limit` runs of a workflow, newest first. A record that does not parse throws `InvalidWorkflowRunError`.
 *
 * @example (await listWorkflowRuns(ports.lake, "medallion", 5)).map((r) => r.status) // ["SUCCEEDED", "FAILED"]
 */
export async function listWorkflowRuns(lake: LakeStore, workflow: string, limit: number): Promise<WorkflowRun[]> {
  const runs: WorkflowRun[] = [];
  if (limit <= 0) return runs;
  for await (const object of lake.listKeys(`${WORKFLOW_RUNS_PREFIX}${workflow}/`)) {
    if (!object.key.endsWith(".json")) continue;
    runs.push(parseRun(object.key, Buffer.from(await lake.get(object.key)).toString("utf8")));
    if (runs.length >= limit) break;
  }
  return runs;
}

function parseRun(key: string, text: string): WorkflowRun {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidWorkflowRunError(key, `not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = WorkflowRunSchema.safeParse(json);
  if (!parsed.success) throw new InvalidWorkflowRunError(key, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** Deletes the workflow's records after the newest `keep`. */
async function pruneRuns(lake: LakeStore, workflow: string, keep: number): Promise<void> {
  let seen = 0;
  const stale: string[] = [];
  for await (const object of lake.listKeys(`${WORKFLOW_RUNS_PREFIX}${workflow}/`)) if ((seen += 1) > keep) stale.push(object.key);
  for (const key of stale) await lake.delete(key);
}
