/**
 * The ports a handler works through. In Lambda they are AWS adapters built from SST-bound resources
 * (`packages/functions/src/platform.ts`); in the embedded local platform, local adapters. Handlers and core
 * code only ever see this interface.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TributaryConfig } from "../config";
import type { LakeStore } from "../lake/store";
import type { QueueRef, SecretName, TableName } from "../wiring";

export type { SecretName };

export interface OutgoingMessage {
  /** Deduplication / correlation id carried as a message attribute. */
  id: string;
  body: string;
}

export interface QueuePort {
  /** Resolves only once every message is durably stored (SQS acknowledged / journal fsynced). */
  send(queue: QueueRef, messages: OutgoingMessage[]): Promise<void>;
}

export interface BusEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
}

export interface BusPort {
  put(events: BusEvent[]): Promise<void>;
}

export interface SecretsPort {
  /** The secret's value, or undefined when it is not set. */
  get(name: SecretName): Promise<string | undefined>;
}

/** Non-secret settings that differ between deployments (parsed once at the edge). */
export interface PlatformSettings {
  /** Base URL of Google's Measurement Protocol; tests point it at a fake Google on loopback. */
  gaEndpoint: string;
}

export interface Ports {
  config: TributaryConfig;
  lake: LakeStore;
  queues: QueuePort;
  bus: BusPort;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsPort;
  settings: PlatformSettings;
  /** Physical table name of a declared table (stage-prefixed on AWS). */
  tableName(table: TableName): string;
}
