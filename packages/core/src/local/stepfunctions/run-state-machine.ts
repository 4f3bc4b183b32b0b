/**
 * Runs the same Amazon States Language definition the stacks deploy, in process, with aws-local-stepfunctions.
 * Every Task state is answered by a local handler named after the state — a Task without one is refused up
 * front, because the interpreter would otherwise call the real AWS Lambda in its Resource.
 */
import "./polyfill";
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { InvalidStateMachineError, MissingTaskHandlerError } from "../errors";
import { taskStateNames, type AslStates } from "./task-states";

type JsonValue = Parameters<StateMachine["run"]>[0];
/** One entry of the interpreter's execution event log (state entered/exited/failed/retried, map iterations…). */
export type ExecutionEvent = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface RunStateMachineOptions {
  /** The ASL definition, as an object or JSON text. */
  definition: object | string;
  input: unknown;
  /** One handler per Task state name (nested Map/Parallel states included). */
  taskHandlers: Record<string, TaskHandler>;
  /** Milliseconds to pause before retries, per state, instead of IntervalSeconds × BackoffRate (keeps local runs snappy). */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Milliseconds to pause in Wait states, per state, instead of their Seconds/Timestamp. */
  waitTimeOverrides?: Record<string, number>;
  /** Collect the execution event log into the result. Default false. */
  collectEvents?: boolean;
  /** Extra Context Object fields (`$$.Execution.Name` …). */
  context?: Record<string, unknown>;
  /** Aborting stops the execution; the result then has status ABORTED. */
  signal?: AbortSignal;
}

export type ExecutionStatus = "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface StateMachineRunResult {
  status: ExecutionStatus;
  output?: unknown;
  /** For FAILED / TIMED_OUT / ABORTED: the error name and cause, as Step Functions reports them. */
  error?: { error: string; cause: string };
  events?: ExecutionEvent[];
}

/**
 * Throws `InvalidStateMachineError` / `MissingTaskHandlerError` for a definition that cannot run; a failing
 * execution is a result with status FAILED, not a throw.
 *
 * @example
 * const result = await runStateMachine({ definition, input: { day: "2026-01-01" }, taskHandlers: { Compact: compact } });
 * if (result.status !== "SUCCEEDED") throw new Error(`${result.error?.error}: ${result.error?.cause}`);
 */
export async function runStateMachine(options: RunStateMachineOptions): Promise<StateMachineRunResult> {
  const definition = parseDefinition(options.definition);
  const tasks = taskStateNames(definition as AslStates);
  const missing = tasks.filter((name) => !Object.hasOwn(options.taskHandlers, name));
  if (missing.length > 0) throw new MissingTaskHandlerError(missing);
  const unknown = Object.keys(options.taskHandlers).filter((name) => !tasks.includes(name));
  if (unknown.length > 0) throw new InvalidStateMachineError(`handlers given for states that are not Task states: ${unknown.join(", ")}`);

  let machine: StateMachine;
  try {
    machine = new StateMachine(definition);
  } catch (error) {
    throw new InvalidStateMachineError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const taskResourceLocalHandlers = Object.fromEntries(
    // A handler returning nothing gives the state a null result, as a Lambda returning nothing does.
    Object.entries(options.taskHandlers).map(([name, handler]) => [name, async (input: JsonValue) => ((await handler(input)) ?? null) as JsonValue]),
  );
  const execution = machine.run(options.input as JsonValue, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides: options.retryIntervalOverrides, waitTimeOverrides: options.waitTimeOverrides },
    context: options.context,
  });
  const abort = () => execution.abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  if (options.signal?.aborted) abort();
  const collecting = options.collectEvents ? collect(execution.eventLogs) : undefined;
  let result: StateMachineRunResult;
  try {
    result = { status: "SUCCEEDED", output: await execution.result };
  } catch (error) {
    result = failure(error);
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
  if (collecting) result.events = await collecting;
  return result;
}

function parseDefinition(definition: object | string): StateMachineDefinition {
  if (typeof definition !== "string") return definition as StateMachineDefinition;
  try {
    return JSON.parse(definition) as StateMachineDefinition;
  } catch (error) {
    throw new InvalidStateMachineError(`not JSON (${(error as Error).message})`, { cause: error });
  }
}

function failure(error: unknown): StateMachineRunResult {
  if (error instanceof ExecutionTimeoutError) return { status: "TIMED_OUT", error: { error: "States.Timeout", cause: "the execution exceeded its TimeoutSeconds" } };
  if (error instanceof ExecutionAbortedError) return { status: "ABORTED", error: { error: "States.Aborted", cause: "the execution was aborted" } };
  // ExecutionError wraps what failed: a Fail state (name = its Error, message = its Cause) or a task's own error.
  const failed = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (failed instanceof Error) return { status: "FAILED", error: { error: failed.name, cause: failed.message } };
  return { status: "FAILED", error: { error: "Error", cause: String(failed) } };
}

async function collect(events: AsyncGenerator<ExecutionEvent>): Promise<ExecutionEvent[]> {
  const collected: ExecutionEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}
