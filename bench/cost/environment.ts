/**
 * Where one path is measured: the shipped config and its wiring, a filesystem lake in a temp dir, DynamoDB in a
 * child process with the tables the path touches, counting ports provided to the handlers, and the wired
 * handlers loaded from packages/functions exactly as Lambda runs them. Also the event shapes the triggers deliver.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { parseConfig, type TributaryConfig } from "../../packages/core/src/config";
import { buildEnvelope, localQueueArn, toSqsEvent } from "../../packages/core/src/local";
import * as Platform from "../../packages/core/src/platform";
import { wiring, type TableName, type Wiring } from "../../packages/core/src/wiring";
import shipped from "../../tributary.config";
import { cdcPorts } from "../../test/cdc/cdc-harness";
import { countingPorts, type CountingPorts } from "./counting-ports";
import { startDynamoProcess, type DynamoProcess } from "./helper-processes";
import { loadWired, type WiredFunction } from "./invoke-measured";

export const BENCH_BUCKET = "tributary-cost-bench";
export const GA_SECRET = "cost-bench-ga-secret";
const REGION = "eu-west-1";

export interface CostEnvironment {
  config: TributaryConfig;
  wiring: Wiring;
  counting: CountingPorts;
  lakeDir: string;
  dynamo: DynamoProcess;
  load(name: string): Promise<WiredFunction>;
  close(): Promise<void>;
}

/**
 * @example const env = await openEnvironment(["ga_forward_status", "link_graph", "realtime_reports"], { settings: { gaEndpoint } });
 */
export async function openEnvironment(tables: readonly TableName[], overrides: Partial<Platform.Ports> = {}, config: TributaryConfig = parseConfig(shipped)): Promise<CostEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-bench-cost-"));
  const w = wiring(config, { lakeBucket: BENCH_BUCKET });
  const dynamo = await startDynamoProcess(w.tables.filter((t) => tables.includes(t.name)));
  const lakeDir = join(dir, "lake");
  const gaIds = config.ga?.measurementIds ?? [];
  const secrets: Record<string, string> = {
    GA_API_SECRETS: JSON.stringify(Object.fromEntries(gaIds.map((id) => [id, GA_SECRET]))),
    LINK_HASH_KEY: "cost-bench-link-hash-key",
  };
  const base: Platform.Ports = { ...cdcPorts(config, lakeDir, dynamo.doc), secrets: { get: async (name) => secrets[name] }, ...overrides };
  const counting = countingPorts(base);
  Platform.provide(counting.ports);
  return {
    config,
    wiring: w,
    counting,
    lakeDir,
    dynamo,
    load: (name) => loadWired(w.functions, name),
    async close() {
      Platform.provide(undefined);
      await dynamo.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The SQS event an event source mapping hands a function for these message bodies. */
export function sqsEventOf(queue: string, bodies: readonly { id: string; body: string }[]): SQSEvent {
  const now = Date.now();
  const received = bodies.map((m) => ({ ...m, messageId: randomUUID(), sentAt: now, receiptHandle: randomUUID(), receiveCount: 1, firstReceivedAt: now }));
  return toSqsEvent(received, { queueArn: localQueueArn(queue, REGION), region: REGION });
}

/** The SQS body a bus rule delivers for an event put on the bus: the EventBridge envelope. */
export function busDeliveryBody(event: Platform.BusEvent): string {
  return JSON.stringify(buildEnvelope({ source: event.source, detailType: event.detailType, detail: event.detail, ...(event.time ? { time: event.time } : {}) }, { region: REGION, account: "000000000000", now: new Date() }));
}
