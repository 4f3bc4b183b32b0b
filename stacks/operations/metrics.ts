/**
 * Custom metrics the Operations stack charts but does not publish. The medallion publishes dataset freshness:
 * the age, in seconds, of a dataset's newest data, under the metric name and dimensions core declares
 * (`FRESHNESS_METRIC`, `FRESHNESS_DIMENSIONS`), in the config's project namespace (`config.project`).
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type { Dataset } from "@tributary/core/config";
import { FRESHNESS_DIMENSIONS, FRESHNESS_METRIC } from "@tributary/core/workflows";

/** How fresh `dataset` is: the worst (largest) age reported in each period. */
export function datasetFreshnessMetric(namespace: string, dataset: Dataset, period = Duration.minutes(5)): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName: FRESHNESS_METRIC,
    dimensionsMap: FRESHNESS_DIMENSIONS(dataset.name),
    statistic: "Maximum",
    period,
    label: dataset.name,
  });
}
