/**
 * The medallion's alarms, to the alerts topic: any failed or timed-out execution, and per dataset its
 * freshness over the SLO from the config. The freshness metric comes with each run, so its period spans two
 * scheduled runs; no data at all (the workflow stopped running, or never merged the dataset) counts as stale.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { Dataset } from "@tributary/core/config";
import { FRESHNESS_DIMENSIONS, FRESHNESS_METRIC } from "@tributary/core/workflows";

/**
 * The period the freshness alarm evaluates: twice the schedule's rate (a run may be skipped while another
 * holds the lease), between 5 minutes and a day; 1 hour for cron schedules.
 */
export function freshnessPeriodMinutes(scheduleExpression: string): number {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(scheduleExpression.trim());
  if (!rate) return 60;
  const minutes = Number(rate[1]) * (rate[2]!.startsWith("minute") ? 1 : rate[2]!.startsWith("hour") ? 60 : 1440);
  return Math.min(1440, Math.max(5, 2 * minutes));
}

export function buildMachineAlarms(scope: Construct, name: string, machine: sfn.StateMachine, topic: sns.ITopic): cloudwatch.Alarm[] {
  const action = new SnsAction(topic);
  const alarms = [
    new cloudwatch.Alarm(scope, `${name}-executions-failed`, {
      alarmDescription: `A ${name} workflow execution failed: silver/gold tables it had not published yet are unchanged; see the execution's failure.`,
      metric: machine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, `${name}-executions-timed-out`, {
      alarmDescription: `A ${name} workflow execution timed out: a step is too slow for its Lambda; see the README on moving it to Athena.`,
      metric: machine.metricTimedOut({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  for (const alarm of alarms) alarm.addAlarmAction(action);
  return alarms;
}

export function buildFreshnessAlarms(
  scope: Construct,
  datasets: Dataset[],
  options: { namespace: string; scheduleExpression: string; topic: sns.ITopic },
): Map<string, cloudwatch.Alarm> {
  const action = new SnsAction(options.topic);
  const period = Duration.minutes(freshnessPeriodMinutes(options.scheduleExpression));
  const alarms = new Map<string, cloudwatch.Alarm>();
  for (const dataset of datasets) {
    const alarm = new cloudwatch.Alarm(scope, `freshness-${dataset.name}`, {
      alarmDescription: `Dataset ${dataset.name}: its newest silver record is older than its freshness SLO of ${dataset.freshnessSloMinutes} minutes (or the medallion stopped reporting it).`,
      metric: new cloudwatch.Metric({ namespace: options.namespace, metricName: FRESHNESS_METRIC, dimensionsMap: FRESHNESS_DIMENSIONS(dataset.name), statistic: "Maximum", period }),
      threshold: dataset.freshnessSloMinutes * 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm.addAlarmAction(action);
    alarms.set(dataset.name, alarm);
  }
  return alarms;
}
