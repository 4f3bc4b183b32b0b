/**
 * Runs the medallion workflow locally: the same ASL definition the stacks deploy, interpreted in process by
 * aws-local-stepfunctions, each Task answered by the medallion step of the same name over the local ports.
 */
import { medallionDefinition, medallionSteps, MEDALLION_MACHINE } from "../medallion";
import type { Ports } from "../platform";
import { runStateMachine, type StateMachineRunResult } from "./stepfunctions";

/**
 * @example const run = await runMedallionLocally(platform.ports); // run.status === "SUCCEEDED"
 */
export async function runMedallionLocally(ports: Ports, options: { signal?: AbortSignal; now?: () => Date } = {}): Promise<StateMachineRunResult> {
  const definition = medallionDefinition((task) => `arn:aws:lambda:local:000000000000:function:${MEDALLION_MACHINE}-${task}`);
  return runStateMachine({
    definition,
    input: {},
    taskHandlers: medallionSteps(ports, options.now ? { now: options.now } : {}),
    retryIntervalOverrides: { FindWork: 0, MergeDataset: 0, BuildReport: 0, Announce: 0 },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
