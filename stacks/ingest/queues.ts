/**
 * One SQS queue per wiring declaration, each with its dead-letter queue `<name>-dlq`. Both are encrypted with
 * the shared queues key and refuse non-TLS requests; timeouts, retention and receive counts come from the wiring.
 */
import { Duration } from "aws-cdk-lib";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Queue } from "sst/constructs";
import type { QueueDecl, QueueName } from "@tributary/core/wiring";
import type { Construct } from "constructs";

/** SQS's maximum: a failed message stays replayable as long as SQS allows (its age counts from first enqueue). */
export const DEAD_LETTER_RETENTION_DAYS = 14;

export interface BuiltQueues {
  queues: Map<QueueName, Queue>;
  deadLetterQueues: Map<QueueName, Queue>;
}

export function buildQueues(scope: Construct, declared: QueueDecl[], key: kms.IKey): BuiltQueues {
  const queues = new Map<QueueName, Queue>();
  const deadLetterQueues = new Map<QueueName, Queue>();
  for (const decl of declared) {
    const encrypted = { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true } as const;
    const dlq = new Queue(scope, `${decl.name}-dlq`, {
      cdk: { queue: { ...encrypted, retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS) } },
    });
    const queue = new Queue(scope, decl.name, {
      cdk: {
        queue: {
          ...encrypted,
          visibilityTimeout: Duration.seconds(decl.visibilityTimeoutSeconds),
          retentionPeriod: Duration.days(decl.retentionDays),
          deadLetterQueue: { queue: dlq.cdk.queue, maxReceiveCount: decl.maxReceiveCount },
        },
      },
    });
    queues.set(decl.name, queue);
    deadLetterQueues.set(decl.name, dlq);
  }
  return { queues, deadLetterQueues };
}
