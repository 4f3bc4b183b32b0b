/**
 * Health alarms on every Lambda function, into the alerts topic: any error, and any throttle, within five
 * minutes. Errors here are invocations that failed as a whole (an uncaught exception, a timeout, running out of
 * memory): records a batch handler reports as item failures are retried by SQS and do not count, so one error
 * is already worth a look. A throttle means the account's or the function's concurrency ran out; SQS and
 * schedule invocations are retried, but an HTTP caller got an error.
 *
 * They live here rather than beside the functions in Ingest so that every stack's functions (Ingest's now, the
 * medallion's or reports' later) get the same generic rule from one place; Ingest keeps only the alarms that
 * need knowledge of what its resources mean (dead-letter depth, CDC lag, cdc-poll's own errors).
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** Errors and throttles are counted per 5 minutes; one period over the threshold pages. */
export const FUNCTION_ALARM_PERIOD = Duration.minutes(5);
/** "More than zero": a single failed or throttled invocation pages. */
export const FUNCTION_ALARM_THRESHOLD = 0;

export interface FunctionAlarms {
  /** Function name → its errors alarm (none for functions whose errors another alarm already covers). */
  errors: Map<string, cloudwatch.Alarm>;
  /** Function name → its throttles alarm. */
  throttles: Map<string, cloudwatch.Alarm>;
}

export interface FunctionAlarmOptions {
  /**
   * Functions whose Errors metric another stack already alarms on with its own, more specific description
   * (Ingest's cdc-poll errors alarm): a second alarm on the same metric would page twice for one failure.
   */
  errorsAlarmedElsewhere?: ReadonlySet<string>;
}

/** An errors and a throttles alarm per function, keyed by the function's wiring name. */
export function buildFunctionAlarms(
  scope: Construct,
  functions: ReadonlyMap<string, lambda.IFunction>,
  topic: sns.ITopic,
  options: FunctionAlarmOptions = {},
): FunctionAlarms {
  const action = new SnsAction(topic);
  const alarms: FunctionAlarms = { errors: new Map(), throttles: new Map() };
  for (const [name, fn] of functions) {
    if (!options.errorsAlarmedElsewhere?.has(name)) {
      alarms.errors.set(
        name,
        countAlarm(scope, `${name}-errors`, fn.metricErrors({ period: FUNCTION_ALARM_PERIOD, statistic: "Sum" }), errorsDescription(name)),
      );
    }
    alarms.throttles.set(
      name,
      countAlarm(scope, `${name}-throttles`, fn.metricThrottles({ period: FUNCTION_ALARM_PERIOD, statistic: "Sum" }), throttlesDescription(name)),
    );
  }
  for (const alarm of [...alarms.errors.values(), ...alarms.throttles.values()]) alarm.addAlarmAction(action);
  return alarms;
}

function countAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, alarmDescription: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription,
    metric,
    threshold: FUNCTION_ALARM_THRESHOLD,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // Lambda reports no datapoint while nothing runs (or nothing fails): quiet, not broken.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

function errorsDescription(name: string): string {
  return (
    `Lambda ${name} failed: an invocation ended in an uncaught error, a timeout or out of memory. ` +
    `Its log group and X-Ray traces show which; queue-fed work is retried and lands in the queue's DLQ (its own alarm) if it keeps failing.`
  );
}

function throttlesDescription(name: string): string {
  return (
    `Lambda ${name} was throttled: the account's (or the function's reserved) concurrency ran out. ` +
    "Queue and schedule invocations are retried; HTTP callers got an error. Check which functions use the concurrency, and raise the account quota if the load is real."
  );
}
