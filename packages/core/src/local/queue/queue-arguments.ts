/**
 * SQS's limits, checked where a call or option enters the queue: 1 MiB per message (since 2025), visibility
 * timeout up to 12 hours, retention up to 14 days, maxReceiveCount 1-1000. Local batches may be larger than
 * ReceiveMessage's 10 because the event source mapping (batch size up to 10,000) receives through them.
 */
import { InvalidQueueArgumentError } from "../errors";
import type { QueueMessageInput } from "./queue-types";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
const MAX_RECEIVE_BATCH = 10_000;

export function assertSendable(queue: string, m: QueueMessageInput): void {
  if (typeof m.id !== "string") throw new InvalidQueueArgumentError(queue, "message id", m.id, "must be a string");
  if (typeof m.body !== "string" || m.body.length === 0) throw new InvalidQueueArgumentError(queue, `body of message ${m.id}`, m.body, "must be a non-empty string");
  // Cheap check first: UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (m.body.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(m.body) > MAX_BODY_BYTES) {
    throw new InvalidQueueArgumentError(queue, `body of message ${m.id}`, `${Buffer.byteLength(m.body)} bytes`, `SQS accepts at most ${MAX_BODY_BYTES} bytes`);
  }
}

/** Seconds, fractions accepted locally (tests use short timeouts). */
export function validVisibilityTimeout(queue: string, seconds: number): number {
  if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_VISIBILITY_SECONDS)) {
    throw new InvalidQueueArgumentError(queue, "visibilityTimeoutSeconds", seconds, `SQS allows 0 to ${MAX_VISIBILITY_SECONDS}`);
  }
  return seconds;
}

export function validRetentionDays(queue: string, days: number): number {
  if (!(days > 0 && days <= 14)) throw new InvalidQueueArgumentError(queue, "retentionDays", days, "SQS allows up to 14 days");
  return days;
}

export function assertMaxReceiveCount(queue: string, count: number): void {
  if (!(Number.isInteger(count) && count >= 1 && count <= 1000)) throw new InvalidQueueArgumentError(queue, "maxReceiveCount", count, "SQS allows an integer from 1 to 1000");
}

export function assertReceiveBatch(queue: string, maxMessages: number): void {
  if (!(Number.isInteger(maxMessages) && maxMessages >= 1 && maxMessages <= MAX_RECEIVE_BATCH)) {
    throw new InvalidQueueArgumentError(queue, "maxMessages", maxMessages, `an integer from 1 to ${MAX_RECEIVE_BATCH}`);
  }
}
