/**
 * AWS adapters of the ports: SQS, EventBridge, DynamoDB and S3, with clients created once per container
 * and injectable. Resource names come in as data (read from the environment at the edge, never here).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TributaryConfig } from "../config";
import { S3LakeStore } from "../lake";
import type { QueueName, QueueRef, TableName } from "../wiring";
import { AWS_ENV } from "./aws-env";
import type { BusEvent, BusPort, OutgoingMessage, PlatformSettings, Ports, QueuePort, SecretsPort } from "./ports";

export interface AwsResources {
  lakeBucket: string;
  /** ARN of the KMS key that encrypts objects under `restricted/` (the lake store names it on every write there). */
  restrictedKeyArn: string;
  queueUrls: Record<QueueRef, string>;
  busName: string;
  tableNames: Record<TableName, string>;
}

export interface AwsClients {
  sqs?: SQSClient;
  events?: EventBridgeClient;
  dynamo?: DynamoDBClient;
}

/** SQS takes at most 10 messages per SendMessageBatch; failed entries are retried, then surfaced. */
export class SqsQueuePort implements QueuePort {
  constructor(
    private readonly urls: Record<QueueRef, string>,
    private readonly client = new SQSClient({}),
  ) {}

  async send(queue: QueueRef, messages: OutgoingMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      let entries = messages.slice(i, i + 10).map((m, n) => ({ Id: String(n), MessageBody: m.body, MessageAttributes: { id: { DataType: "String", StringValue: m.id } } }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.urls[queue], Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        if (failed.size > 0 && attempt >= 3) {
          throw new Error(`platform: SQS refused ${failed.size} message(s) for ${queue}: ${out.Failed?.map((f) => f.Message).join("; ")}`);
        }
        entries = entries.filter((e) => failed.has(e.Id));
      }
    }
  }
}

/** EventBridge takes at most 10 entries per PutEvents; partial failures are retried, then surfaced. */
export class EventBridgeBusPort implements BusPort {
  constructor(
    private readonly busName: string,
    private readonly client = new EventBridgeClient({}),
  ) {}

  async put(events: BusEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      let entries = events.slice(i, i + 10).map((e) => ({
        EventBusName: this.busName,
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        Time: e.time,
      }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        const failedAt = (out.Entries ?? []).map((r, n) => (r.ErrorCode ? n : -1)).filter((n) => n >= 0);
        if (failedAt.length > 0 && attempt >= 3) {
          throw new Error(`platform: EventBridge refused ${failedAt.length} event(s): ${out.Entries?.find((r) => r.ErrorCode)?.ErrorMessage}`);
        }
        entries = failedAt.map((n) => entries[n]!);
      }
    }
  }
}

/**
 * @example setDefault(() => awsPorts(config, resourcesFromEnv(process.env, declared), { secrets, settings }));
 */
export function awsPorts(
  config: TributaryConfig,
  resources: AwsResources,
  edge: { secrets: SecretsPort; settings: PlatformSettings },
  clients: AwsClients = {},
): Ports {
  const dynamo = DynamoDBDocumentClient.from(clients.dynamo ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    config,
    lake: new S3LakeStore({ bucket: resources.lakeBucket, restrictedKeyArn: resources.restrictedKeyArn }),
    queues: new SqsQueuePort(resources.queueUrls, clients.sqs),
    bus: new EventBridgeBusPort(resources.busName, clients.events),
    dynamo,
    secrets: edge.secrets,
    settings: edge.settings,
    tableName: (table) => resources.tableNames[table],
  };
}

/**
 * Resource names from the environment the stacks set (names in `AWS_ENV`), validated once at cold start;
 * a missing variable fails fast, naming it.
 *
 * @example resourcesFromEnv(process.env, { queues: ["stream-records"], tables: ["ingest_ledger"] })
 */
export function resourcesFromEnv(env: Record<string, string | undefined>, declared: { queues: QueueName[]; tables: TableName[] }): AwsResources {
  const read = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`platform: environment variable ${name} is not set (the stacks set it on every function)`);
    return value;
  };
  return {
    lakeBucket: read(AWS_ENV.lakeBucket),
    restrictedKeyArn: read(AWS_ENV.restrictedKeyArn),
    busName: read(AWS_ENV.busName),
    queueUrls: Object.fromEntries(
      declared.queues.flatMap((q) => [q, `${q}-dlq` as const]).map((q) => [q, read(AWS_ENV.queueUrl(q))]),
    ) as Record<QueueRef, string>,
    tableNames: Object.fromEntries(declared.tables.map((t) => [t, read(AWS_ENV.tableName(t))])) as Record<TableName, string>,
  };
}
