/**
 * The medallion workflow as one Amazon States Language definition: the stacks deploy it to Step Functions, and the
 * local platform runs the same definition with aws-local-stepfunctions, each Task answered by the step of the same
 * name. Steps work per dataset and per report, so each stays within a Lambda's limits (see the README for where a
 * deployment should move a step to Athena CTAS instead).
 *
 * FindWork → MergeSilver (Map: MergeDataset per dataset) → BuildGold (Map: BuildReport per report) → Announce
 */
import type { TributaryConfig } from "../config";
import { datasetNamed, datasets } from "../config";
import type { Ports } from "../platform";
import { EVENT_SOURCE } from "../wiring";
import { buildGold, type GoldOutcome } from "./gold-build";
import { mergeSilver, type SilverOutcome } from "./silver-merge";

export const MEDALLION_MACHINE = "medallion";
export const GOLD_UPDATED = "gold.updated";

/** Task state names: the local runner's handlers and the stack's Lambda integrations use the same ones. */
export const MEDALLION_TASKS = ["FindWork", "MergeDataset", "BuildReport", "Announce"] as const;
export type MedallionTask = (typeof MEDALLION_TASKS)[number];

const RETRY = [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 }];

/**
 * @example medallionDefinition((task) => `arn:aws:lambda:…:function:medallion-${task}`).StartAt // "FindWork"
 */
export function medallionDefinition(resourceOf: (task: MedallionTask) => string) {
  const task = (name: MedallionTask, extra: Record<string, unknown>) => ({ Type: "Task", Resource: resourceOf(name), Retry: RETRY, ...extra });
  return {
    Comment: "Tributary medallion: bronze → silver (per dataset) → gold (per report), published atomically per table",
    StartAt: "FindWork",
    States: {
      FindWork: task("FindWork", { ResultPath: "$.work", Next: "MergeSilver" }),
      MergeSilver: {
        Type: "Map",
        ItemsPath: "$.work.datasets",
        MaxConcurrency: 4,
        ItemSelector: { "dataset.$": "$$.Map.Item.Value" },
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "MergeDataset", States: { MergeDataset: task("MergeDataset", { End: true }) } },
        ResultPath: "$.silver",
        Next: "BuildGold",
      },
      BuildGold: {
        Type: "Map",
        ItemsPath: "$.work.reports",
        MaxConcurrency: 3,
        ItemSelector: { "report.$": "$$.Map.Item.Value" },
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "BuildReport", States: { BuildReport: task("BuildReport", { End: true }) } },
        ResultPath: "$.gold",
        Next: "Announce",
      },
      Announce: task("Announce", { End: true }),
    },
  };
}

export interface MedallionWork {
  datasets: string[];
  reports: string[];
}

/** The steps, by Task state name. Each takes the state's input and returns its result. */
export function medallionSteps(ports: Ports, options: { now?: () => Date } = {}): Record<MedallionTask, (input: unknown) => Promise<unknown>> {
  const config: TributaryConfig = ports.config;
  const now = options.now ?? (() => new Date());
  return {
    FindWork: async (): Promise<MedallionWork> => ({ datasets: datasets(config).map((d) => d.name), reports: config.reports.map((r) => r.name) }),
    MergeDataset: async (input) => mergeSilver(ports, datasetNamed(config, (input as { dataset: string }).dataset), { now: now() }),
    BuildReport: async (input) => {
      const name = (input as { report: string }).report;
      const report = config.reports.find((r) => r.name === name);
      if (!report) throw new Error(`medallion: no report named "${name}" in the config`);
      return buildGold(ports, report, { now: now() });
    },
    Announce: async (input) => {
      const { silver = [], gold = [] } = input as { silver?: SilverOutcome[]; gold?: GoldOutcome[] };
      const published = gold.filter((g) => g.status === "published");
      if (published.length > 0) {
        await ports.bus.put(published.map((g) => ({ source: EVENT_SOURCE, detailType: GOLD_UPDATED, detail: { report: g.report, version: g.version, rows: g.rows } })));
      }
      return {
        silverPublished: silver.filter((s) => s.status === "published").map((s) => s.dataset),
        goldPublished: published.map((g) => g.report),
        waiting: gold.filter((g) => g.status === "waiting").map((g) => ({ report: g.report, missing: g.missing })),
        // Expectations that found something (warn counts, quarantined rows); a `fail` already failed its MergeDataset.
        quality: silver.flatMap((s) => (s.quality ?? []).filter((r) => r.failures > 0).map((r) => ({ dataset: s.dataset, ...r }))),
      };
    },
  };
}
