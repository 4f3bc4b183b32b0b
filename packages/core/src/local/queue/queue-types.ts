/** The shapes LocalQueue takes and gives. */
import type { LocalQueue } from "./local-queue";

export interface LocalQueueOptions {
  name: string;
  /** Directory holding the journal, e.g. `$TRIBUTARY_HOME/queues/<name>/`; created if missing. */
  dir: string;
  /** Default 30 s (SQS's default). Fractions are accepted locally. */
  visibilityTimeoutSeconds?: number;
  /** Default 4 days (SQS's default); at most 14. */
  retentionDays?: number;
  deadLetter?: { queue: LocalQueue; maxReceiveCount: number };
  /** Compact once the journal passes this size and is at least twice what the live messages need. Default 64 MiB. */
  compactAfterBytes?: number;
  /** Clock in epoch ms; tests pass their own to move time without waiting. */
  now?: () => number;
}

export interface QueueMessageInput {
  /** The producer's id (deduplication / correlation); not required to be unique. */
  id: string;
  body: string;
}

/** A message moved between queues (dead-lettering, redrive): keeps its message id and original send time. */
export interface MovedMessage extends QueueMessageInput {
  messageId: string;
  sentAt: number;
}

export interface ReceivedMessage extends MovedMessage {
  receiptHandle: string;
  /** How many times it has been received, this receive included (SQS ApproximateReceiveCount). */
  receiveCount: number;
  firstReceivedAt: number;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
}

/** Counts since this instance opened the queue. */
export interface QueueStats {
  sent: number;
  received: number;
  deleted: number;
  deadLettered: number;
  expired: number;
}
