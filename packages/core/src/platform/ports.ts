/**
 * The ports a handler works through. In Lambda they are AWS adapters built from SST-bound resources
 * (`packages/functions/src/platform.ts`); in the embedded local platform, local adapters. Handlers and core
 * code only ever see this interface.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ChangeSource } from "../cdc/change-source";
import type { SqlServerSource, TributaryConfig } from "../config";
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

/** Progress of long-running work, for whoever watches (the local CLI's progress bar); optional everywhere. */
export interface ProgressObserver {
  fileProgress(progress: { rows: number; bytes: number; totalBytes: number }): void;
}

/** Opens the change source of a SQL Server source: SQL Server when a connection string is set, else the embedded stand-in locally. */
export interface ChangeSourcePort {
  open(source: SqlServerSource): Promise<ChangeSource>;
}

export interface Ports {
  config: TributaryConfig;
  lake: LakeStore;
  queues: QueuePort;
  bus: BusPort;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsPort;
  /**
   * Set by the local platform (embedded stand-ins, or SQL Server when a connection secret is set). Absent on
   * AWS: cdc-poll opens SQL Server itself (`Cdc.openChangeSource`), so no other bundle carries the driver.
   */
  changeSources?: ChangeSourcePort;
  observer?: ProgressObserver;
  settings: PlatformSettings;
  /** Physical table name of a declared table (stage-prefixed on AWS). */
  tableName(table: TableName): string;
}
