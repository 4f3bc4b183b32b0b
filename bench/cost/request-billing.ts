/**
 * How many billable requests a port call becomes on AWS, following what the AWS adapters do
 * (packages/core/src/platform/aws.ts, lake/s3-store.ts): SQS and EventBridge in calls of 10 entries, billed per
 * 64 KB chunk; an S3 put as one PutObject, or a multipart upload of 5 MiB parts, then a HEAD for the written
 * object's size; a listing in pages of 1,000 keys.
 */
import { billedChunks, EVENTBRIDGE_CHUNK_BYTES, MIB, SQS_CHUNK_BYTES } from "./cost-model";

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
/** SendMessageBatch and PutEvents take at most 10 entries a call. */
const ENTRIES_PER_CALL = 10;
/** The S3 adapter's multipart part size (S3's minimum). */
export const S3_PART_BYTES = 5 * MIB;
export const S3_LIST_PAGE = 1000;

export interface Billing {
  calls: number;
  billed: number;
}

/**
 * SQS bills a SendMessageBatch per 64 KB chunk of its whole payload: bodies plus the `id` attribute the adapter
 * sets on each (name, type and value all count).
 *
 * @example sqsSendBilling([{ id: "a", body: "x".repeat(70_000) }]) // { calls: 1, billed: 2 }
 */
export function sqsSendBilling(messages: readonly { id: string; body: string }[]): Billing {
  let billed = 0;
  for (let i = 0; i < messages.length; i += ENTRIES_PER_CALL) {
    const bytes = messages.slice(i, i + ENTRIES_PER_CALL).reduce((n, m) => n + utf8(m.body) + utf8("id") + utf8("String") + utf8(m.id), 0);
    billed += billedChunks(bytes, SQS_CHUNK_BYTES);
  }
  return { calls: Math.ceil(messages.length / ENTRIES_PER_CALL), billed };
}

/**
 * An entry's size as EventBridge counts it: source, detail type and detail in UTF-8, 14 bytes for a time.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function eventBridgeEntryBytes(entry: { source: string; detailType: string; detail: Record<string, unknown>; time?: Date }): number {
  return utf8(entry.source) + utf8(entry.detailType) + utf8(JSON.stringify(entry.detail)) + (entry.time ? 14 : 0);
}

/**
 * @example eventBridgeBilling([{ source: "tributary", detailType: "record.ingested", detail: {} }]) // { calls: 1, billed: 1 }
 */
export function eventBridgeBilling(entries: readonly Parameters<typeof eventBridgeEntryBytes>[0][]): Billing {
  return {
    calls: Math.ceil(entries.length / ENTRIES_PER_CALL),
    billed: entries.reduce((n, e) => n + billedChunks(eventBridgeEntryBytes(e), EVENTBRIDGE_CHUNK_BYTES), 0),
  };
}

/**
 * S3 requests of one lake put: a PutObject for a byte body or a stream under one part; above, CreateMultipartUpload,
 * one UploadPart per 5 MiB and CompleteMultipartUpload (all PUT-class); then the adapter's HEAD (GET-class).
 *
 * @example s3PutRequests(12 * MIB, true) // { put: 5, get: 1 } (create + 3 parts + complete)
 */
export function s3PutRequests(bytes: number, streamed: boolean): { put: number; get: number } {
  if (!streamed || bytes <= S3_PART_BYTES) return { put: 1, get: 1 };
  return { put: 2 + billedChunks(bytes, S3_PART_BYTES), get: 1 };
}

/** LIST requests to list `objects` keys (one page even when there are none). */
export function s3ListRequests(objects: number): number {
  return billedChunks(objects, S3_LIST_PAGE);
}
