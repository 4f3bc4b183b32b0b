/**
 * Runs the medallion workflow locally: the same ASL definition the stacks deploy, interpreted in process by
 * aws-local-stepfunctions, each Task answered by the medallion step of the same name over the local ports.
 * Every run is recorded under `_ops/workflow-runs/medallion/` (ops/workflow-runs), failed and aborted ones too,
 * for `tributary status` and the status page.
 */
import {
  medallionDefinition,
  MEDALLION_MACHINE,
  MEDALLION_TASKS,
  runMedallionTask,
  type GoldOutcome,
  type MedallionTask,
  type MedallionTaskEvent,
  type MedallionWork,
  type SilverOutcome,
} from "../medallion";
import { finishWorkflowRun, startWorkflowRun, type WorkflowRunOutcome } from "../ops/workflow-runs";
import type { Ports } from "../platform";
import { runStateMachine, type StateMachineRunResult, type TaskHandler } from "./stepfunctions";

/** What the run learns from its steps' results, for its record. */
interface RunNotes {
  silver: string[];
  gold: string[];
  /** The failure a Catch routed to ReleaseLease: the real error behind the Fail state's generic one. */
  failure?: { error: string; cause: string };
  note?: string;
}

export interface RunMedallionOptions {
  signal?: AbortSignal;
  /** Clock of the steps and of the run record. */
  now?: () => Date;
  /**
   * Who answers each Task state (e.g. the wired medallion functions, invoked as Lambda would); default: the
   * medallion steps called in process. Either way the run record notes what the steps published.
   */
  taskHandlers?: Record<string, TaskHandler>;
}

/**
 * @example const run = await runMedallionLocally(platform.ports); // run.status === "SUCCEEDED"
 */
export async function runMedallionLocally(ports: Ports, options: RunMedallionOptions = {}): Promise<StateMachineRunResult> {
  const now = options.now ?? (() => new Date());
  const definition = medallionDefinition((task) => `arn:aws:lambda:local:000000000000:function:${MEDALLION_MACHINE}-${task}`);
  const run = await startWorkflowRun(ports.lake, MEDALLION_MACHINE, now());
  const execution = `arn:aws:states:local:000000000000:execution:${MEDALLION_MACHINE}:${run.runId}`;
  const notes: RunNotes = { silver: [], gold: [] };
  const stepOptions = options.now ? { now: options.now } : {};
  const inProcess: Record<string, TaskHandler> = Object.fromEntries(
    MEDALLION_TASKS.map((task) => [task, (event: unknown) => runMedallionTask(ports, event as MedallionTaskEvent, stepOptions)]),
  );
  // Given handlers replace the in-process steps entirely: a Task they miss fails the run up front (MissingTaskHandlerError).
  const answers = options.taskHandlers ?? inProcess;
  const handler = (task: string, answer: TaskHandler): TaskHandler => async (event) => {
    const result = await answer(event);
    noteResult(notes, task as MedallionTask, event as MedallionTaskEvent | null, result);
    return result;
  };
  let result: StateMachineRunResult;
  try {
    result = await runStateMachine({
      definition,
      input: {},
      taskHandlers: Object.fromEntries(Object.entries(answers).map(([task, answer]) => [task, handler(task, answer)])),
      retryIntervalOverrides: Object.fromEntries(MEDALLION_TASKS.map((task) => [task, 0])),
      // The execution id is the lease holder's name (`$$.Execution.Id`), as Step Functions would give it.
      context: { Execution: { Id: execution, Name: run.runId } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    // The definition could not run at all (a bug, not a failed execution): recorded, then thrown as before.
    const cause = error instanceof Error ? { error: error.name, cause: error.message } : { error: "Error", cause: String(error) };
    await finishWorkflowRun(ports.lake, run, { status: "FAILED", silverPublished: notes.silver, goldPublished: notes.gold, error: cause, note: notes.note ?? null }, now());
    throw error;
  }
  if (result.status === "ABORTED" || result.status === "TIMED_OUT") {
    // What the stack's rule does on AWS: an execution that ended without its own last step gives its lease back.
    await answers.ReleaseLease?.({ task: "ReleaseLease", input: {}, execution }).catch((error: unknown) => {
      notes.note = `lease not released (${error instanceof Error ? error.message : String(error)}); it expires on its own`;
    });
  }
  const outcome: WorkflowRunOutcome = {
    status: result.status,
    silverPublished: notes.silver,
    goldPublished: notes.gold,
    error: result.status === "SUCCEEDED" ? null : (notes.failure ?? result.error ?? { error: "Error", cause: `the execution ended ${result.status}` }),
    note: notes.note ?? null,
  };
  await finishWorkflowRun(ports.lake, run, outcome, now());
  return result;
}

/** Collected as the steps finish, so a run that fails after some tables were switched still says which. */
function noteResult(notes: RunNotes, task: MedallionTask, event: MedallionTaskEvent | null, result: unknown): void {
  // Results come from handlers (possibly wired functions): read them defensively, a note must never fail a step.
  const work = result as Partial<MedallionWork> | null;
  const silver = result as Partial<SilverOutcome> | null;
  const gold = result as Partial<GoldOutcome> | null;
  if (task === "FindWork" && work?.busy) notes.note = `skipped: another run holds the lease (${work.heldBy ?? "unknown"})`;
  if (task === "MergeDataset" && silver?.status === "published" && silver.dataset) notes.silver.push(silver.dataset);
  if (task === "BuildReport" && gold?.status === "published" && gold.report) notes.gold.push(gold.report);
  if (task === "ReleaseLease") {
    const failure = (event?.input as { failure?: { Error?: string; Cause?: string } } | null | undefined)?.failure;
    if (failure) notes.failure = { error: failure.Error ?? "Error", cause: failure.Cause ?? "" };
  }
}
