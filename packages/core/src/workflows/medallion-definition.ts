/**
 * The medallion workflow's Amazon States Language definition and its names, with no runtime dependencies: the
 * stacks import it to deploy the state machine (SST bundles `sst.config.ts`, and everything it reaches must bundle
 * without native or WASM modules), and `medallion/workflow.ts` implements the steps it names.
 *
 * FindWork (lease; datasets past their watermark) ─busy→ AnotherRunActive
 *   → MergeSilver (Map per dataset: MergeDataset → CompactDataset) → BuildGold (Map per report: BuildReport)
 *   → Announce (gold.updated, freshness; releases the lease)
 * Any failure → ReleaseLease → Failed, so the next run need not wait for the lease to expire.
 */
import { MEDALLION_MACHINE, MEDALLION_TIMEOUT_MINUTES } from "../wiring";

export { MEDALLION_MACHINE, MEDALLION_TIMEOUT_MINUTES };
export const GOLD_UPDATED = "gold.updated";
/**
 * The CloudWatch metric the medallion Lambda publishes per dataset after each run, and the freshness alarms and
 * dashboard watch: namespace = the config's `project`, dimensions `service` (Powertools adds it to every metric;
 * the handler names its service `FRESHNESS_SERVICE`) and `dataset`.
 */
export const FRESHNESS_METRIC = "DatasetFreshnessSeconds";
export const FRESHNESS_SERVICE = "medallion";
export const FRESHNESS_DIMENSIONS = (dataset: string) => ({ service: FRESHNESS_SERVICE, dataset });
/** The lease one run holds from FindWork to Announce (item in `workflow_state`). */
export const MEDALLION_LEASE = `lease#${MEDALLION_MACHINE}`;

/** Task state names: the local runner's handlers and the stack's Lambda integrations use the same ones. */
export const MEDALLION_TASKS = ["FindWork", "MergeDataset", "CompactDataset", "BuildReport", "Announce", "ReleaseLease"] as const;
export type MedallionTask = (typeof MEDALLION_TASKS)[number];

const RETRY = [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 }];
const RELEASE_ON_FAILURE = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "ReleaseLease" }];

/** What a Task's Lambda receives: which step to run, and the state's input. One Lambda may answer several steps. */
export interface MedallionTaskEvent {
  task: MedallionTask;
  input: unknown;
  /** The execution's id (`$$.Execution.Id`): holder of the run's lease. */
  execution: string;
}

/**
 * The ASL definition, given each Task's Lambda ARN. The run times out (and the lease expires) after
 * `MEDALLION_TIMEOUT_MINUTES`, so a dead run never blocks the next one for longer.
 *
 * @example medallionDefinition((task) => `arn:aws:lambda:…:function:medallion-${task}`).StartAt // "FindWork"
 */
export function medallionDefinition(resourceOf: (task: MedallionTask) => string) {
  const task = (name: MedallionTask, extra: Record<string, unknown>) => ({
    Type: "Task",
    Resource: resourceOf(name),
    // The execution id is the lease holder: FindWork takes the lease in its name, and ReleaseLease (or the
    // stack's rule for aborted and timed-out executions) gives it back by that name.
    Parameters: { task: name, "input.$": "$", "execution.$": "$$.Execution.Id" },
    Retry: RETRY,
    ...extra,
  });
  return {
    Comment: "Tributary medallion: bronze → silver (per dataset) → gold (per report), published atomically per table",
    StartAt: "FindWork",
    TimeoutSeconds: MEDALLION_TIMEOUT_MINUTES * 60,
    States: {
      FindWork: task("FindWork", { ResultPath: "$.work", Catch: RELEASE_ON_FAILURE, Next: "AnotherRun" }),
      AnotherRun: {
        Type: "Choice",
        Choices: [{ Variable: "$.work.busy", BooleanEquals: true, Next: "AnotherRunActive" }],
        Default: "MergeSilver",
      },
      AnotherRunActive: { Type: "Succeed", Comment: "Another run holds the lease: its merge will include this run's bronze." },
      MergeSilver: {
        Type: "Map",
        ItemsPath: "$.work.datasets",
        MaxConcurrency: 4,
        ItemSelector: { "dataset.$": "$$.Map.Item.Value" },
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "MergeDataset",
          States: {
            MergeDataset: task("MergeDataset", { ResultPath: "$.silver", Next: "CompactDataset" }),
            CompactDataset: task("CompactDataset", { ResultPath: "$.compaction", End: true }),
          },
        },
        ResultPath: "$.silver",
        Catch: RELEASE_ON_FAILURE,
        Next: "BuildGold",
      },
      BuildGold: {
        Type: "Map",
        ItemsPath: "$.work.reports",
        MaxConcurrency: 3,
        ItemSelector: { "report.$": "$$.Map.Item.Value" },
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "BuildReport", States: { BuildReport: task("BuildReport", { End: true }) } },
        ResultPath: "$.gold",
        Catch: RELEASE_ON_FAILURE,
        Next: "Announce",
      },
      Announce: task("Announce", { Catch: RELEASE_ON_FAILURE, End: true }),
      ReleaseLease: task("ReleaseLease", { ResultPath: null, Next: "Failed" }),
      Failed: { Type: "Fail", Error: "MedallionFailed", Cause: "A medallion step failed; see the execution's failure (the published tables are unchanged by the failed step)." },
    },
  };
}
