/**
 * The medallion workflow's Lambdas (medallion-plan, medallion-silver, medallion-gold share this handler): each
 * Task state sends `{ task, input }` and gets the step's result. After Announce, each dataset's freshness (age of
 * the newest record in its silver version) is published as `DatasetFreshnessSeconds` per dataset, the metric the
 * freshness alarms watch; a dataset never merged publishes nothing, so its alarm's missing data counts as breaching.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import * as Medallion from "@tributary/core/medallion";
import { observed } from "./observability";
import { ports } from "./platform";

/** Namespace = the config's project, service = `FRESHNESS_SERVICE`: the dimensions the alarms and dashboard name. */
let metrics: Metrics | undefined;

export const handler = observed("medallion", async (event: Medallion.MedallionTaskEvent, _context, logger) => {
  const p = ports();
  const result = await Medallion.runMedallionTask(p, event);
  logger.info("medallion step", { task: event.task, result: summary(result) });
  if (event.task === "Announce") {
    metrics ??= new Metrics({ namespace: p.config.project, serviceName: Medallion.FRESHNESS_SERVICE });
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
