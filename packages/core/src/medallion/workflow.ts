/**
 * The medallion workflow's steps: what each Task state of the definition (`workflows/medallion-definition.ts`,
 * re-exported here) does. The stacks deploy the definition to Step Functions and the local platform runs it with
 * aws-local-stepfunctions; both answer a Task with `runMedallionTask`. Steps work per dataset and per report, so
 * each stays within a Lambda's limits (see the README for where a deployment should move a step to Athena CTAS).
 */
import type { TributaryConfig } from "../config";
import { datasetNamed, datasets } from "../config";
import type { Ports } from "../platform";
import { acquireLease, LeaseHeldError, releaseLease } from "../platform/lease";
import { EVENT_SOURCE } from "../wiring";
import { GOLD_UPDATED, MEDALLION_LEASE, MEDALLION_TASKS, MEDALLION_TIMEOUT_MINUTES, type MedallionTask, type MedallionTaskEvent } from "../workflows";
import { compactBronze, planCompaction, type CompactionOutcome } from "./compaction";
import { buildGold, type GoldOutcome } from "./gold-build";
import { readCurrentManifest } from "./layout";
import { mergeSilver, type SilverOutcome } from "./silver-merge";
import { bronzeFiles, consumedKeys } from "./watermark";

export * from "../workflows/medallion-definition";

export interface MedallionWork {
  /** Another execution holds the lease (named here): this run ends without doing anything. */
  busy: boolean;
  heldBy?: string;
  /** Datasets with bronze past their watermark, or closed partitions to compact. */
  datasets: string[];
  reports: string[];
  /** Per dataset with work: bronze files not merged yet, partitions to compact. */
  pending: { dataset: string; unmergedFiles: number; compactablePartitions: number }[];
}

export interface DatasetFreshness {
  dataset: string;
  newestRecordAt: string | null;
  freshnessSeconds: number | null;
  sloMinutes: number;
  stale: boolean;
}

interface ItemResult {
  dataset: string;
  silver: SilverOutcome;
  compaction: CompactionOutcome;
}

/**
 * Which datasets have work: bronze files their silver has not consumed, or closed partitions of small files.
 *
 * @example await findWork(ports, new Date()) // { datasets: ["orders"], pending: [{ dataset: "orders", unmergedFiles: 3, compactablePartitions: 0 }] }
 */
export async function findWork(ports: Ports, now: Date): Promise<Pick<MedallionWork, "datasets" | "pending">> {
  const pending: MedallionWork["pending"] = [];
  for (const dataset of datasets(ports.config)) {
    const manifest = await readCurrentManifest(ports.lake, "silver", dataset.name);
    const files = await bronzeFiles(ports.lake, dataset);
    const consumed = consumedKeys(manifest);
    const unmergedFiles = files.filter((f) => !consumed.has(f.key)).length;
    const compactablePartitions = manifest ? planCompaction(files, manifest, now).length + (manifest.compactions?.length ? 1 : 0) : 0;
    if (unmergedFiles + compactablePartitions > 0) pending.push({ dataset: dataset.name, unmergedFiles, compactablePartitions });
  }
  return { datasets: pending.map((p) => p.dataset), pending };
}

/**
 * Every dataset's freshness: the age of the newest record its current silver version holds, against its SLO.
 *
 * @example await datasetFreshness(ports, new Date()) // [{ dataset: "orders", freshnessSeconds: 312, sloMinutes: 60, stale: false, … }]
 */
export async function datasetFreshness(ports: Ports, now: Date): Promise<DatasetFreshness[]> {
  const out: DatasetFreshness[] = [];
  for (const dataset of datasets(ports.config)) {
    const manifest = await readCurrentManifest(ports.lake, "silver", dataset.name);
    const newestRecordAt = manifest?.newestRecordAt ?? null;
    const freshnessSeconds = newestRecordAt ? Math.max(0, Math.round((now.getTime() - Date.parse(newestRecordAt)) / 1000)) : null;
    const stale = freshnessSeconds === null || freshnessSeconds > dataset.freshnessSloMinutes * 60;
    out.push({ dataset: dataset.name, newestRecordAt, freshnessSeconds, sloMinutes: dataset.freshnessSloMinutes, stale });
  }
  return out;
}

/**
 * Runs one step from a Task's event (`{ task, input }`): what the medallion Lambdas do.
 *
 * @example await runMedallionTask(ports, { task: "FindWork", input: {} }) // { busy: false, datasets: ["orders"], … }
 */
export async function runMedallionTask(ports: Ports, event: MedallionTaskEvent, options: { now?: () => Date } = {}): Promise<unknown> {
  if (!event || !(MEDALLION_TASKS as readonly string[]).includes(event.task)) {
    throw new Error(`medallion: unknown task ${JSON.stringify(event?.task)}; expected one of ${MEDALLION_TASKS.join(", ")}`);
  }
  if (typeof event.execution !== "string" || event.execution === "") throw new Error(`medallion: task ${event.task} got no execution id`);
  return medallionSteps(ports, options)[event.task](event.input, event.execution);
}

export type MedallionStep = (input: unknown, execution: string) => Promise<unknown>;

/** The steps, by Task state name. Each takes the state's input and its execution's id, and returns its result. */
export function medallionSteps(ports: Ports, options: { now?: () => Date } = {}): Record<MedallionTask, MedallionStep> {
  const config: TributaryConfig = ports.config;
  const now = options.now ?? (() => new Date());
  const reports = config.reports.map((r) => r.name);
  return {
    FindWork: async (_input, execution): Promise<MedallionWork> => {
      const at = now();
      try {
        await acquireLease(ports, { table: "workflow_state", key: MEDALLION_LEASE, holder: execution, durationMs: MEDALLION_TIMEOUT_MINUTES * 60_000, now: at.getTime() });
      } catch (error) {
        if (error instanceof LeaseHeldError) return { busy: true, heldBy: error.holder, datasets: [], reports: [], pending: [] };
        throw error;
      }
      return { busy: false, reports, ...(await findWork(ports, at)) };
    },
    MergeDataset: async (input) => mergeSilver(ports, datasetNamed(config, (input as { dataset: string }).dataset), { now: now() }),
    CompactDataset: async (input) => compactBronze(ports, datasetNamed(config, (input as { dataset: string }).dataset), { now: now() }),
    BuildReport: async (input) => {
      const name = (input as { report: string }).report;
      const report = config.reports.find((r) => r.name === name);
      if (!report) throw new Error(`medallion: no report named "${name}" in the config`);
      return buildGold(ports, report, { now: now() });
    },
    Announce: async (input, execution) => {
      const { silver = [], gold = [] } = input as { silver?: ItemResult[]; gold?: GoldOutcome[] };
      const published = gold.filter((g) => g.status === "published");
      if (published.length > 0) {
        await ports.bus.put(published.map((g) => ({ source: EVENT_SOURCE, detailType: GOLD_UPDATED, detail: { report: g.report, version: g.version, rows: g.rows } })));
      }
      const freshness = await datasetFreshness(ports, now());
      await releaseLease(ports, "workflow_state", MEDALLION_LEASE, execution);
      return {
        silverPublished: silver.filter((s) => s.silver.status === "published").map((s) => s.dataset),
        goldPublished: published.map((g) => g.report),
        compacted: silver.filter((s) => s.compaction.partitions > 0).map((s) => ({ dataset: s.dataset, partitions: s.compaction.partitions, files: s.compaction.filesCompacted })),
        waiting: gold.filter((g) => g.status === "waiting").map((g) => ({ report: g.report, missing: g.missing })),
        // Expectations that found something (warn counts, quarantined rows); a `fail` already failed its MergeDataset.
        quality: silver.flatMap((s) => (s.silver.quality ?? []).filter((r) => r.failures > 0).map((r) => ({ dataset: s.dataset, ...r }))),
        freshness,
      };
    },
    ReleaseLease: async (_input, execution) => {
      await releaseLease(ports, "workflow_state", MEDALLION_LEASE, execution);
      return null;
    },
  };
}
