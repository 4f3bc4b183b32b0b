/**
 * The resources a wired function can be given access to, looked up by the names the wiring uses. A name the
 * wiring uses but does not declare fails synth with the function and the name, instead of a function that
 * silently lacks a permission.
 */
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { Config, EventBus, Queue, Table } from "sst/constructs";
import type { QueueName, QueueRef, SecretName, TableName } from "@tributary/core/wiring";

export interface WiredResources {
  stage: string;
  lakeBucket: s3.IBucket;
  lakeKey: kms.IKey;
  /** Encrypts objects under `restricted/` (raw PII); only functions whose wiring touches that prefix may use it. */
  restrictedKey: kms.IKey;
  queues: ReadonlyMap<QueueName, Queue>;
  /** `<name>-dlq` of each queue; also where a rule parks events it could not deliver. */
  deadLetterQueues: ReadonlyMap<QueueName, Queue>;
  queueKey: kms.IKey;
  bus: EventBus;
  tables: ReadonlyMap<TableName, Table>;
  tableKey: kms.IKey;
  /** SST secrets (SSM SecureString parameters), set with `npx sst secrets set <NAME> <value>`. */
  secrets: ReadonlyMap<SecretName, Config.Secret>;
}

export class StackWiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackWiringError";
  }
}

/** A declared queue, or its dead-letter queue for a `<name>-dlq` reference. */
export function queueOf(resources: WiredResources, queue: QueueRef, usedBy: string): Queue {
  const found = queue.endsWith("-dlq")
    ? resources.deadLetterQueues.get(queue.slice(0, -"-dlq".length) as QueueName)
    : resources.queues.get(queue as QueueName);
  if (!found) throw new StackWiringError(`stacks: ${usedBy} uses queue "${queue}", which the wiring does not declare`);
  return found;
}

export function tableOf(resources: WiredResources, table: TableName, usedBy: string): Table {
  const found = resources.tables.get(table);
  if (!found) throw new StackWiringError(`stacks: ${usedBy} uses table "${table}", which the wiring does not declare`);
  return found;
}
