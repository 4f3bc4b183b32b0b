/**
 * The medallion workflow's Lambdas (medallion-plan, medallion-silver, medallion-gold share this handler): each
 * Task state sends `{ task, input }` and gets the step's result. After Announce, each dataset's freshness (age of
 * the newest record in its silver version) is published as `DatasetFreshnessSeconds` per dataset, the metric the
 * freshness alarms watch; a dataset never merged publishes nothing, so its alarm's missing data counts as breaching.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import * as Medallion from "@tributary/core/medallion";
import { observed } from "./observability";
import { ports } from "./platform";

/** Service `FRESHNESS_SERVICE` ("medallion"), metrics namespace the config's project: what the freshness alarms and dashboard name. */
export const handler = observed(Medallion.FRESHNESS_SERVICE, async (event: Medallion.MedallionTaskEvent, _context, { logger, metrics }) => {
  const p = ports();
  const result = await Medallion.runMedallionTask(p, event);
  logger.info("medallion step", { task: event.task, result: summary(result) });
  if (event.task === "Announce") {
    for (const f of (result as { freshness: Medallion.DatasetFreshness[] }).freshness) {
      if (f.freshnessSeconds === null) continue;
      metrics.addDimensions({ dataset: f.dataset });
      metrics.addMetric(Medallion.FRESHNESS_METRIC, MetricUnit.Seconds, f.freshnessSeconds);
      metrics.publishStoredMetrics();
    }
  }
  return result;
});

/** Results carry file lists (lineage); the log keeps their shape small. */
function summary(result: unknown): unknown {
  const text = JSON.stringify(result) ?? "null";
  return text.length <= 4000 ? result : `${text.slice(0, 4000)}… (${text.length} chars)`;
}
