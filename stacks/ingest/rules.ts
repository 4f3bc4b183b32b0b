/**
 * The wiring's bus rules that route events into queues — e.g. S3 "Object Created" under landing/ (which S3
 * sends to the account's default bus) into file-notifications.
 *
 * The queue and key permissions are written here rather than left to CDK's `SqsQueue` target: for a
 * KMS-encrypted queue that target grants EventBridge without any condition unless the feature flag
 * `@aws-cdk/aws-events:eventsTargetQueueSameAccount` is on, which `sst deploy` does not set.
 */
import { Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { RuleDecl } from "@tributary/core/wiring";
import { toCdkEventPattern } from "./event-pattern";
import { queueOf, StackWiringError, type WiredResources } from "./resources";

const EVENTS = new iam.ServicePrincipal("events.amazonaws.com");

export function buildRules(scope: Construct, rules: RuleDecl[], resources: WiredResources): Map<string, events.Rule> {
  const built = new Map<string, events.Rule>();
  if (rules.length === 0) return built;
  const defaultBus = events.EventBus.fromEventBusName(scope, "DefaultBus", "default");
  for (const decl of rules) {
    const queue = queueOf(resources, decl.targetQueue, `rule "${decl.name}"`).cdk.queue;
    const rule = new events.Rule(scope, decl.name, {
      description: `Wiring: ${decl.bus} bus rule ${decl.name} -> queue ${decl.targetQueue}`,
      eventBus: decl.bus === "default" ? defaultBus : resources.bus.cdk.eventBus,
      eventPattern: toCdkEventPattern(decl.pattern),
    });
    // EventBridge retries a failed delivery for up to 24 h, then drops the event — unless the target has a DLQ.
    // The target queue's own DLQ holds it, beside messages that failed processing, for one replay path.
    const deadLetter = resources.deadLetterQueues.get(decl.targetQueue)?.cdk.queue;
    if (!deadLetter) throw new StackWiringError(`stacks: rule "${decl.name}" targets queue "${decl.targetQueue}", which has no dead-letter queue`);
    rule.addTarget({
      bind: () => ({
        arn: queue.queueArn,
        targetResource: queue,
        deadLetterConfig: { arn: deadLetter.queueArn },
        retryPolicy: { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 },
      }),
    });
    allowRuleToSend(queue, rule);
    allowRuleToSend(deadLetter, rule);
    built.set(decl.name, rule);
  }
  allowEventBridgeToUseKey(resources);
  return built;
}

function allowRuleToSend(queue: sqs.IQueue, rule: events.Rule): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [EVENTS],
      actions: ["sqs:SendMessage"],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { "aws:SourceArn": rule.ruleArn } },
    }),
  );
}

/**
 * EventBridge encrypts what it delivers with the queues' key. Its KMS requests carry no rule ARN, so the key
 * is limited to EventBridge acting for this account — what CDK itself does for encrypted queue targets under
 * its recommended `@aws-cdk/aws-events:eventsTargetQueueSameAccount` flag.
 */
function allowEventBridgeToUseKey({ queueKey }: WiredResources): void {
  queueKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowEventBridgeOfThisAccountToEncryptForQueues",
      principals: [EVENTS],
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      // In a key policy "*" means "this key".
      resources: ["*"],
      conditions: { StringEquals: { "aws:SourceAccount": Stack.of(queueKey).account } },
    }),
  );
}
