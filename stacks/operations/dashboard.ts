/**
 * One CloudWatch dashboard for the deployment, a section per concern: every function (invocations, errors,
 * throttles, duration), every queue with its dead-letter queue, the HTTP API (requests, 4xx/5xx, latency), CDC
 * lag per source table against its alarm threshold, and each dataset's freshness against its SLO.
 * Everything charted comes from what the stacks built, so a function, queue, table or dataset added to the
 * config appears here on the next deploy.
 */
import { Duration } from "aws-cdk-lib";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import type { Queue } from "sst/constructs";
import type { Dataset, SqlServerSource } from "@tributary/core/config";
import type { QueueName } from "@tributary/core/wiring";
import type { CdcAlarms } from "../ingest/cdc-alarms";
import { StackWiringError } from "../ingest/resources";
import { datasetFreshnessMetric } from "./metrics";

/** Every chart aggregates over 5 minutes, the alarms' period. */
export const DASHBOARD_PERIOD = Duration.minutes(5);

export interface DashboardSources {
  /** Unique in the account and region. */
  name: string;
  functions: ReadonlyMap<string, lambda.IFunction>;
  queues: ReadonlyMap<QueueName, Queue>;
  deadLetterQueues: ReadonlyMap<QueueName, Queue>;
  api?: apigwv2.IHttpApi;
  sources: readonly SqlServerSource[];
  /** Ingest's CDC alarms: the lag charts show exactly the metric and threshold that page. */
  cdcAlarms?: CdcAlarms;
  datasets: readonly Dataset[];
  /** Namespace the medallion publishes dataset freshness in (the config's project). */
  freshnessNamespace: string;
}

export function buildDashboard(scope: Construct, from: DashboardSources): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, "dashboard", { dashboardName: from.name, defaultInterval: Duration.hours(6) });
  const section = (title: string, widgets: cloudwatch.IWidget[]) => {
    if (widgets.length === 0) return;
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    dashboard.addWidgets(...widgets);
  };
  section("Functions: invocations, errors and throttles (left, per 5 min), duration in ms (right)", functionWidgets(from.functions));
  section("Queues: messages waiting, in the queue and its DLQ (left), age of the oldest in seconds (right)", queueWidgets(from));
  if (from.api) section("HTTP API", apiWidgets(from.api));
  section("CDC lag behind SQL Server, in seconds (the line is the alarm threshold)", cdcWidgets(from.sources, from.cdcAlarms));
  section("Dataset freshness: age of the newest data in seconds (the line is the dataset's SLO)", freshnessWidgets(from));
  return dashboard;
}

const count = { label: "count", min: 0, showUnits: false };

function functionWidgets(functions: ReadonlyMap<string, lambda.IFunction>): cloudwatch.IWidget[] {
  const sum = { period: DASHBOARD_PERIOD, statistic: "Sum" };
  return [...functions].map(
    ([name, fn]) =>
      new cloudwatch.GraphWidget({
        title: name,
        width: 8,
        height: 6,
        left: [
          fn.metricInvocations({ ...sum, label: "invocations" }),
          fn.metricErrors({ ...sum, label: "errors" }),
          fn.metricThrottles({ ...sum, label: "throttles" }),
        ],
        right: [
          fn.metricDuration({ period: DASHBOARD_PERIOD, statistic: "p99", label: "duration p99" }),
          fn.metricDuration({ period: DASHBOARD_PERIOD, statistic: "Average", label: "duration avg" }),
        ],
        leftYAxis: count,
        rightYAxis: { label: "ms", min: 0, showUnits: false },
      }),
  );
}

function queueWidgets(from: DashboardSources): cloudwatch.IWidget[] {
  const max = { period: DASHBOARD_PERIOD, statistic: "Maximum" };
  return [...from.queues].map(([name, queue]) => {
    const dlq = from.deadLetterQueues.get(name);
    if (!dlq) throw new StackWiringError(`stacks: queue "${name}" has no dead-letter queue to chart`);
    return new cloudwatch.GraphWidget({
      title: `${name} queue`,
      width: 8,
      height: 6,
      left: [
        queue.cdk.queue.metricApproximateNumberOfMessagesVisible({ ...max, label: "waiting" }),
        dlq.cdk.queue.metricApproximateNumberOfMessagesVisible({ ...max, label: "in DLQ" }),
      ],
      right: [queue.cdk.queue.metricApproximateAgeOfOldestMessage({ ...max, label: "oldest waiting (s)" })],
      leftYAxis: count,
      rightYAxis: { label: "seconds", min: 0, showUnits: false },
    });
  });
}

function apiWidgets(api: apigwv2.IHttpApi): cloudwatch.IWidget[] {
  const sum = { period: DASHBOARD_PERIOD, statistic: "Sum" };
  const latency = (statistic: string) => ({ period: DASHBOARD_PERIOD, statistic, label: `latency ${statistic}` });
  return [
    new cloudwatch.GraphWidget({
      title: "API requests and errors",
      width: 12,
      height: 6,
      left: [api.metricCount({ ...sum, label: "requests" }), api.metricClientError({ ...sum, label: "4xx" }), api.metricServerError({ ...sum, label: "5xx" })],
      leftYAxis: count,
    }),
    new cloudwatch.GraphWidget({
      title: "API latency (ms)",
      width: 12,
      height: 6,
      left: [api.metricLatency(latency("p50")), api.metricLatency(latency("p99")), api.metricIntegrationLatency({ ...latency("p99"), label: "integration p99" })],
      leftYAxis: { label: "ms", min: 0, showUnits: false },
    }),
  ];
}

function cdcWidgets(sources: readonly SqlServerSource[], cdcAlarms: CdcAlarms | undefined): cloudwatch.IWidget[] {
  if (sources.length === 0) return [];
  if (!cdcAlarms) throw new StackWiringError(`stacks: the config declares SQL Server sources (${sources.map((s) => s.name).join(", ")}) but Ingest built no CDC alarms`);
  return sources.map((source) => {
    const alarms = source.tables.map((table) => {
      const alarm = cdcAlarms.lag.get(`${source.name}.${table.name}`);
      if (!alarm) throw new StackWiringError(`stacks: no CDC lag alarm for ${source.name}.${table.name}`);
      // The alarm's own metric, relabelled by table: the chart shows exactly what pages.
      if (!(alarm.metric instanceof cloudwatch.Metric)) throw new StackWiringError(`stacks: the CDC lag alarm of ${source.name}.${table.name} is not on a single metric`);
      return { metric: alarm.metric.with({ label: table.name }), alarm };
    });
    return new cloudwatch.GraphWidget({
      title: `CDC lag: ${source.name}`,
      width: 12,
      height: 6,
      left: alarms.map(({ metric }) => metric),
      leftAnnotations: [alarms[0]!.alarm.toAnnotation()],
      leftYAxis: { label: "seconds", min: 0, showUnits: false },
    });
  });
}

function freshnessWidgets(from: DashboardSources): cloudwatch.IWidget[] {
  return from.datasets.map(
    (dataset) =>
      new cloudwatch.GraphWidget({
        title: `${dataset.name} freshness`,
        width: 6,
        height: 5,
        left: [datasetFreshnessMetric(from.freshnessNamespace, dataset, DASHBOARD_PERIOD)],
        leftAnnotations: [{ value: dataset.freshnessSloMinutes * 60, label: `SLO ${String(dataset.freshnessSloMinutes)} min`, color: cloudwatch.Color.RED }],
        leftYAxis: { label: "seconds", min: 0, showUnits: false },
      }),
  );
}
