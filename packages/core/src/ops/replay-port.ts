/**
 * What replaying a dead-letter queue needs from a queue service, and no more: receive a batch (hidden from other
 * receivers), store it in another queue, then delete or release it. The local durable queue implements it
 * (`replay-local.ts`); on AWS it maps one to one onto SQS calls:
 * - `waiting`  → GetQueueAttributes `ApproximateNumberOfMessages`
 * - `receive`  → ReceiveMessage (`MaxNumberOfMessages` ≤ 10, `VisibilityTimeout`, `MessageAttributeNames: ["id"]`)
 * - `send`     → SendMessageBatch (the `id` attribute kept; per-entry `Failed` become refusals)
 * - `delete`   → DeleteMessageBatch
 * - `release`  → ChangeMessageVisibilityBatch with `VisibilityTimeout: 0`
 */
import type { QueueRef } from "../wiring";

/** A message received from a dead-letter queue. */
export interface DeadLetter {
  /** Handle of this receive, to delete or release the message (SQS ReceiptHandle). */
  receipt: string;
  messageId: string;
  /** The producer's id attribute (deduplication / correlation), carried over unchanged. */
  id: string;
  body: string;
  /** Epoch ms of the original send. */
  sentAt: number;
}

/** A message the target queue would not store, with its reason; it stays in the dead-letter queue. */
export interface RefusedMessage {
  message: DeadLetter;
  reason: string;
}

export interface RedrivePort {
  /** The most messages one receive, send or delete takes (SQS: 10). */
  readonly maxBatchSize: number;
  /** Messages visible in a queue now (approximate on SQS). */
  waiting(queue: QueueRef): Promise<number>;
  /** Up to `max` visible messages, hidden from other receivers for `hideSeconds` unless deleted or released first. */
  receive(queue: QueueRef, max: number, hideSeconds: number): Promise<DeadLetter[]>;
  /**
   * Stores the messages in `queue`, resolving once they are durable; answers the ones it refused one by one.
   * Rejects when the call as a whole failed (then none may be taken as stored).
   */
  send(queue: QueueRef, messages: readonly DeadLetter[]): Promise<RefusedMessage[]>;
  /** Deletes received messages; rejects if any could not be deleted. */
  delete(queue: QueueRef, messages: readonly DeadLetter[]): Promise<void>;
  /** Makes received messages visible again at once. */
  release(queue: QueueRef, messages: readonly DeadLetter[]): Promise<void>;
}
