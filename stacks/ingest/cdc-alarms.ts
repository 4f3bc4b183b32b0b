/**
 * Alarms on change data capture, on the shared alerts topic: per source table, the lag behind SQL Server and
 * retention gaps (both published by cdc-poll as Powertools EMF metrics), and the poller's own errors.
 *
 * The metric alarms must name exactly the dimensions the handler emits, or they never see a datapoint:
 * cdc-poll calls `metrics.addDimensions({ Source, Table })`, and Powertools Metrics adds its default dimension
 * `service` (the service name, "cdc-poll") to every dimension set it serializes. `test/stacks/cdc.test.ts` runs
 * the handler and compares what it emits with these alarms.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { SqlServerSource } from "@tributary/core/config";
import type { BuiltFunction } from "./nag";
import { StackWiringError } from "./resources";

/** The wiring's poller; its name is also its Powertools service name (the `service` dimension). */
export const CDC_POLL_FUNCTION = "cdc-poll";
/** The dimension Powertools Metrics adds to every metric: the service name. */
export const POWERTOOLS_SERVICE_DIMENSION = "service";

/**
 * Lag (seconds the stored offset is behind the source's latest commit) that pages. Polls run every minute or
 * so and catch up within a poll or two; a quarter of an hour behind — three times the poller's 300 s timeout —
 * means it is no longer keeping up, not merely draining one large transaction.
 */
export const CDC_LAG_THRESHOLD_SECONDS = 900;
/** Lag is judged on its maximum per 5 minutes, and must stay high for 3 periods (15 minutes) before paging. */
export const CDC_LAG_PERIOD = Duration.minutes(5);
export const CDC_LAG_EVALUATION_PERIODS = 3;
/**
 * Any retention gap pages at once: SQL Server purged changes before they were read, so bronze misses them
 * until the table is re-snapshotted.
 */
export const CDC_RETENTION_GAP_THRESHOLD = 1;
/**
 * Any failed poll pages: cdc-poll fails only when a table did not poll (a source busy with another poll is a
 * skip, not an error), and the next scheduled poll retrying is no reason to stay quiet about it.
 */
export const CDC_POLL_ERRORS_THRESHOLD = 1;
/** Retention gaps and errors are counted per 5 minutes. */
export const CDC_COUNT_PERIOD = Duration.minutes(5);

export interface CdcAlarms {
  /** `<source>.<table>` → its lag alarm. */
  lag: Map<string, cloudwatch.Alarm>;
  /** `<source>.<table>` → its retention-gap alarm. */
  retentionGap: Map<string, cloudwatch.Alarm>;
  pollErrors: cloudwatch.Alarm;
}

/** The CDC alarms of every SQL Server source, or none when the config declares no source. */
/** `namespace`: the config's project, where every Tributary function publishes its metrics (cdc-poll's included). */
export function buildCdcAlarms(scope: Construct, sources: SqlServerSource[], functions: BuiltFunction[], topic: sns.ITopic, namespace: string): CdcAlarms | undefined {
  if (sources.length === 0) return undefined;
  const poller = functions.find((f) => f.decl.name === CDC_POLL_FUNCTION);
  if (!poller) throw new StackWiringError(`stacks: the config declares SQL Server sources, but the wiring has no function "${CDC_POLL_FUNCTION}" to alarm on`);
  const action = new SnsAction(topic);
  const alarms: CdcAlarms = { lag: new Map(), retentionGap: new Map(), pollErrors: pollErrorsAlarm(scope, poller, sources) };
  for (const source of sources) {
    for (const table of source.tables) {
      const metric = (metricName: string, statistic: string, period: Duration) =>
        new cloudwatch.Metric({
          namespace,
          metricName,
          dimensionsMap: { [POWERTOOLS_SERVICE_DIMENSION]: poller.decl.name, Source: source.name, Table: table.name },
          statistic,
          period,
        });
      const id = `${source.name}-${table.name}`;
      alarms.lag.set(
        `${source.name}.${table.name}`,
        new cloudwatch.Alarm(scope, `cdc-lag-${id}`, {
          alarmDescription: lagDescription(source, table.name),
          metric: metric("CdcLagSeconds", "Maximum", CDC_LAG_PERIOD),
          threshold: CDC_LAG_THRESHOLD_SECONDS,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: CDC_LAG_EVALUATION_PERIODS,
          // A poller that stopped reporting (schedule gone, failing before it measures, stuck) is the worst lag.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
      );
      alarms.retentionGap.set(
        `${source.name}.${table.name}`,
        new cloudwatch.Alarm(scope, `cdc-retention-gap-${id}`, {
          alarmDescription: retentionGapDescription(source, table.name),
          metric: metric("CdcRetentionGap", "Sum", CDC_COUNT_PERIOD),
          threshold: CDC_RETENTION_GAP_THRESHOLD,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // No datapoint means no poll measured a gap; the lag alarm covers polls that stopped.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
  for (const alarm of [...alarms.lag.values(), ...alarms.retentionGap.values(), alarms.pollErrors]) alarm.addAlarmAction(action);
  return alarms;
}

function pollErrorsAlarm(scope: Construct, poller: BuiltFunction, sources: SqlServerSource[]): cloudwatch.Alarm {
  const secrets = sources.flatMap((s) => (s.connectionSecret ? [`${s.connectionSecret} (${s.name})`] : []));
  return new cloudwatch.Alarm(scope, `${poller.decl.name}-errors`, {
    alarmDescription:
      `${poller.decl.name} failed: a table of a SQL Server source did not poll, or the source could not be reached. ` +
      `Its log names the source and table; check the connection secret${secrets.length > 1 ? "s" : ""} ${secrets.join(", ")} and that SQL Server is reachable, ` +
      "and `tributary cdc status` for each table's last error.",
    metric: poller.fn.metricErrors({ period: CDC_COUNT_PERIOD, statistic: "Sum" }),
    threshold: CDC_POLL_ERRORS_THRESHOLD,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

function lagDescription(source: SqlServerSource, table: string): string {
  const minutes = (CDC_LAG_THRESHOLD_SECONDS / 60).toString();
  return (
    `CDC lag: ${source.name}.${table} has been more than ${minutes} minutes behind SQL Server, or has reported no lag, for ` +
    `${(CDC_LAG_EVALUATION_PERIODS * CDC_LAG_PERIOD.toMinutes()).toString()} minutes. Check cdc-poll's errors and log for ${source.name}.${table} ` +
    `and the ${source.connectionSecret ?? "source's"} connection; \`tributary cdc status\` shows its offset and snapshot. ` +
    "No data also means polls stopped running, or an initial snapshot is still in progress (lag is reported once it completes)."
  );
}

function retentionGapDescription(source: SqlServerSource, table: string): string {
  const next =
    source.onRetentionGap === "resnapshot"
      ? "The source is set to re-snapshot: cdc-poll has started one; follow it with `tributary cdc status`."
      : `Run \`tributary snapshot ${source.name} --tables ${table}\` to re-snapshot it (the source is set to fail on a gap).`;
  return (
    `CDC retention gap: SQL Server purged changes of ${source.name}.${table} before cdc-poll read them (the stored offset is older than ` +
    `the capture instance's min LSN), so bronze misses them. ${next} Then lengthen the CDC cleanup job's retention or poll more often.`
  );
}
