/**
 * Alerts for the ingestion path, all published to one KMS-encrypted, TLS-only SNS topic: here the topic and
 * one alarm per dead-letter queue, firing as soon as a single message waits there (anything in a DLQ is data
 * we have not landed or forwarded); CDC's alarms are in `cdc-alarms.ts`. The Operations stack subscribes the
 * config's `alerts.emails` to the topic; chat or paging subscriptions are added per deployment.
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { Queue } from "sst/constructs";
import type { QueueName } from "@tributary/core/wiring";
import { rotatingKey } from "../shared/keys";

/** The topic every Tributary alarm notifies, encrypted with its own key that CloudWatch may use. */
export function buildAlertsTopic(scope: Construct): sns.Topic {
  const key = rotatingKey(scope, "AlertsKey", "alerts", "Encrypts Tributary's alert topic");
  // CloudWatch publishes alarm notifications to the encrypted topic as its own service principal.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowCloudWatchAlarmsOfThisAccount",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      // In a key policy "*" means "this key".
      resources: ["*"],
      conditions: { StringEquals: { "aws:SourceAccount": Stack.of(scope).account } },
    }),
  );
  return new sns.Topic(scope, "Alerts", { masterKey: key, enforceSSL: true, displayName: "Tributary alerts" });
}

export function buildDeadLetterAlarms(
  scope: Construct,
  deadLetterQueues: ReadonlyMap<QueueName, Queue>,
  topic: sns.ITopic,
): Map<QueueName, cloudwatch.Alarm> {
  const action = new SnsAction(topic);
  const deadLetterAlarms = new Map<QueueName, cloudwatch.Alarm>();
  for (const [name, dlq] of deadLetterQueues) {
    const alarm = new cloudwatch.Alarm(scope, `${name}-dlq-depth`, {
      alarmDescription: `Messages are waiting in ${name}-dlq: inspect them and replay (they were not landed or forwarded).`,
      metric: dlq.cdk.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    deadLetterAlarms.set(name, alarm);
  }
  return deadLetterAlarms;
}
