/**
 * The EventBridge event envelope the local bus delivers, built the way PutEvents builds it.
 * https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 */
import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import { InvalidBusArgumentError } from "../errors";

export type LocalBusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** One PutEvents entry (the platform's `BusEvent` plus the optional bus and resources). */
export interface PutEventEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
  /** Default: the account's `default` bus, as with PutEvents. */
  bus?: string;
  resources?: string[];
}

/** PutEvents' limit for one entry. */
const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * @example buildEnvelope({ source: "tributary", detailType: "record.ingested", detail: {} }, { region: "eu-west-1", account: "000000000000", now: new Date() })
 */
export function buildEnvelope(entry: PutEventEntry, context: { region: string; account: string; now: Date }): LocalBusEvent {
  assertValidEntry(entry);
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": entry.detailType,
    source: entry.source,
    account: context.account,
    time: eventBridgeTime(entry.time ?? context.now),
    region: context.region,
    resources: entry.resources ?? [],
    detail: entry.detail,
  };
}

/** EventBridge writes times to the second: `2017-12-22T18:43:48Z`. */
export function eventBridgeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function assertValidEntry(entry: PutEventEntry): void {
  if (typeof entry.source !== "string" || entry.source.length === 0) throw new InvalidBusArgumentError(`entry source ${JSON.stringify(entry.source)} must be a non-empty string`);
  // PutEvents refuses sources AWS services own; S3-style events enter through `putEnvelope` instead.
  if (entry.source.startsWith("aws.")) throw new InvalidBusArgumentError(`entry source "${entry.source}" is reserved for AWS services`);
  if (typeof entry.detailType !== "string" || entry.detailType.length === 0) throw new InvalidBusArgumentError(`entry detailType ${JSON.stringify(entry.detailType)} must be a non-empty string`);
  if (entry.detail === null || typeof entry.detail !== "object" || Array.isArray(entry.detail)) {
    throw new InvalidBusArgumentError(`entry ${entry.source}/${entry.detailType}: detail must be a JSON object, got ${JSON.stringify(entry.detail)}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(entry));
  if (bytes > MAX_ENTRY_BYTES) throw new InvalidBusArgumentError(`entry ${entry.source}/${entry.detailType} is ${bytes} bytes; PutEvents accepts at most ${MAX_ENTRY_BYTES}`);
}
