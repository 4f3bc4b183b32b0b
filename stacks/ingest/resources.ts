/**
 * The resources a wired function can be given access to, looked up by the names the wiring uses. A name the
 * wiring uses but does not declare fails synth with the function and the name, instead of a function that
 * silently lacks a permission.
 */
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { EventBus, Queue, Table } from "sst/constructs";
import type { QueueName, TableName } from "@tributary/core/wiring";

export interface WiredResources {
  stage: string;
  lakeBucket: s3.IBucket;
  lakeKey: kms.IKey;
  queues: ReadonlyMap<QueueName, Queue>;
  /** `<name>-dlq` of each queue; also where a rule parks events it could not deliver. */
  deadLetterQueues: ReadonlyMap<QueueName, Queue>;
  queueKey: kms.IKey;
  bus: EventBus;
  tables: ReadonlyMap<TableName, Table>;
  tableKey: kms.IKey;
}

export class StackWiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackWiringError";
  }
}

export function queueOf(resources: WiredResources, queue: QueueName, usedBy: string): Queue {
  const found = resources.queues.get(queue);
  if (!found) throw new StackWiringError(`stacks: ${usedBy} uses queue "${queue}", which the wiring does not declare`);
  return found;
}

export function tableOf(resources: WiredResources, table: TableName, usedBy: string): Table {
  const found = resources.tables.get(table);
  if (!found) throw new StackWiringError(`stacks: ${usedBy} uses table "${table}", which the wiring does not declare`);
  return found;
}
