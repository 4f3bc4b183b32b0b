/**
 * The platform's status in one object: per dataset how fresh it is against its SLO, CDC lag per table (the same
 * lines as `tributary cdc status`), queue and dead-letter depths, and the last workflow runs. `tributary status`
 * prints it, and the local platform serves it at `/status.json` and draws it at `/status`.
 */
// The two CDC files directly, not the domain index, so a bundle of this code does not pull in the SQL Server driver.
import { listOffsets } from "../cdc/offsets";
import { describeOffset, type OffsetStatus } from "../cdc/status";
import { datasets } from "../config";
import { MEDALLION_MACHINE } from "../medallion/workflow";
import type { Ports } from "../platform";
import { InvalidOpsOptionError } from "./errors";
import { datasetStatus, NewestRecordReader, type DatasetStatus } from "./status-dataset";
import type { QueueDepthPort, QueueDepthReading } from "./status-queues";
import { listWorkflowRuns, WORKFLOW_RUNS_KEPT, type WorkflowRun } from "./workflow-runs";

export interface PlatformStatus {
  generatedAt: string;
  datasets: DatasetStatus[];
  cdc: OffsetStatus[];
  queues: QueueDepthReading[];
  /** The newest runs of the medallion workflow, newest first. */
  workflowRuns: WorkflowRun[];
  summary: {
    staleDatasets: string[];
    /** Messages waiting in dead-letter queues, all queues together. */
    deadLetterMessages: number;
    lastRun: Pick<WorkflowRun, "runId" | "status" | "startedAt" | "endedAt"> | null;
  };
  /** Parts of the status that could not be read, each with why; the rest is still reported. */
  problems: string[];
}

export interface PlatformStatusOptions {
  /** The clock freshness is measured against; default: now. */
  now?: Date;
  /** Queue depths (QueuePort only sends): `localQueueDepths(platform.queues.values())` locally. */
  queueDepths: QueueDepthPort;
  /** How many workflow runs to list; default 10. */
  recentRuns?: number;
}

/**
 * @example
 * const status = await platformStatus(platform.ports, { queueDepths: localQueueDepths(platform.queues.values()) });
 * status.summary.staleDatasets // ["lab_results"]
 */
export async function platformStatus(ports: Ports, options: PlatformStatusOptions): Promise<PlatformStatus> {
  const now = options.now ?? new Date();
  const recentRuns = options.recentRuns ?? 10;
  if (!Number.isInteger(recentRuns) || recentRuns < 0 || recentRuns > WORKFLOW_RUNS_KEPT) throw new InvalidOpsOptionError("recentRuns", recentRuns, `an integer from 0 to ${WORKFLOW_RUNS_KEPT}`);
  const problems: string[] = [];

  // Offsets live in DynamoDB only once a source exists; without sources there is nothing to ask.
  const offsets = ports.config.sources.length === 0 ? [] : await listOffsets(ports);
  const cdc = offsets.map((o) => describeOffset(o, now.getTime()));
  const lagOf = new Map(cdc.map((o) => [`${o.source}.${o.table}`, o.lagSeconds]));

  const reader = new NewestRecordReader(ports.lake);
  let datasetLines: DatasetStatus[];
  try {
    datasetLines = await Promise.all(
      datasets(ports.config).map((dataset) =>
        datasetStatus(ports.lake, dataset, { now, reader, cdcLagSeconds: dataset.kind === "cdc" ? (lagOf.get(`${dataset.source}.${dataset.name}`) ?? null) : null }),
      ),
    );
  } finally {
    await reader.close();
  }

  const queues = await options.queueDepths.readDepths();
  const workflowRuns = await listWorkflowRuns(ports.lake, MEDALLION_MACHINE, recentRuns).catch((error: Error) => {
    problems.push(error.message);
    return [];
  });
  const last = workflowRuns[0];
  return {
    generatedAt: now.toISOString(),
    datasets: datasetLines,
    cdc,
    queues,
    workflowRuns,
    summary: {
      staleDatasets: datasetLines.filter((d) => d.stale).map((d) => d.dataset),
      deadLetterMessages: queues.reduce((n, q) => n + (q.deadLetter ? q.deadLetter.visible + q.deadLetter.inFlight : 0), 0),
      lastRun: last ? { runId: last.runId, status: last.status, startedAt: last.startedAt, endedAt: last.endedAt } : null,
    },
    problems,
  };
}
