/**
 * Polls one SQL Server source, invoked by its schedule with `{ "source": "<name>" }`: snapshot first, then
 * changes from the stored LSN into bronze, offsets advanced only after the write. Publishes each table's lag
 * (seconds behind the source's latest commit) and retention gaps as metrics; fails the invocation when a table
 * failed, so the error alarm fires. A poll that finds the source busy (another poll holds its lease) skips.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import * as Cdc from "@tributary/core/cdc";
import { z } from "zod";
import { observed } from "./observability";
import { ports } from "./platform";

const CdcPollEventSchema = z.object({ source: z.string().min(1) });
/** Stop starting new batches this long before Lambda's timeout: the last batch must land and commit. */
const DEADLINE_MARGIN_MS = 45_000;

export const handler = observed(
  "cdc-poll",
  async (event: unknown, context, { logger, metrics }) => {
    const { source } = CdcPollEventSchema.parse(event);
    const p = ports();
    const changes = await Cdc.openChangeSource(p, Cdc.sourceNamed(p.config, source));
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
    const report = await Cdc.pollSource(p, source, changes, { deadline }).catch((error: unknown) => {
      if (error instanceof Cdc.SourceBusyError) return undefined;
      throw error;
    });
    if (!report) {
      logger.warn("cdc poll skipped: another poll of the source is running", { source });
      return { source, skipped: true };
    }
    for (const table of report.tables) {
      metrics.addDimensions({ Source: source, Table: table.table });
      if (table.lagSeconds !== undefined) metrics.addMetric("CdcLagSeconds", MetricUnit.Seconds, table.lagSeconds);
      metrics.addMetric("CdcRowsLanded", MetricUnit.Count, table.rowsLanded);
      metrics.addMetric("CdcRowsQuarantined", MetricUnit.Count, table.rowsQuarantined);
      metrics.addMetric("CdcRetentionGap", MetricUnit.Count, table.retentionGap ? 1 : 0);
      metrics.publishStoredMetrics();
    }
    logger.info("cdc poll", { ...report });
    const failed = report.tables.filter((t) => t.error);
    if (failed.length > 0) throw new Error(`cdc: ${source}: ${failed.map((t) => `${t.table}: ${t.error}`).join("; ")}`);
    return report;
  },
);
