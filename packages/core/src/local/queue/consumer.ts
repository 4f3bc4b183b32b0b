/**
 * The local event source mapping: delivers queue messages to a function the way Lambda's SQS poller does.
 *
 * - Batching: waits until `batchSize` messages are visible or `batchWindowSeconds` has passed since the first one.
 * - ReportBatchItemFailures: only the messages the function names stay on the queue; a thrown error (or an
 *   invalid response) fails the whole batch. Failed messages stay in flight and become visible again after the
 *   queue's visibility timeout, which is also what moves poison messages to the dead-letter queue eventually.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * - Sleeps on the queue's wake-ups while idle (no polling loop).
 */
import type { SQSEvent } from "aws-lambda";
import { InvalidQueueArgumentError, LocalPlatformError, QueueClosedError, QueueInvocationFailedError } from "../errors";
import type { LocalQueue } from "./local-queue";
import type { ReceivedMessage } from "./queue-types";
import { toSqsEvent } from "./sqs-event";

export interface QueueConsumerOptions {
  queue: LocalQueue;
  /** 1 to 10,000, as Lambda allows (above 10 needs a batching window on AWS). */
  batchSize: number;
  /** 0 to 300 seconds. */
  batchWindowSeconds: number;
  /** The function; may return an `SQSBatchResponse`. */
  invoke: (event: SQSEvent) => Promise<unknown>;
  queueArn: string;
  region: string;
  /** Invocations in flight at once. Default 1. */
  concurrency?: number;
  /**
   * Told about every failed invocation (a {@link QueueInvocationFailedError}: its messages stay queued) and every
   * polling error; default: logged to stderr. Failures are never silent.
   */
  onError?: (error: Error) => void;
}

export interface ConsumerStats {
  invocations: number;
  deletedMessages: number;
  retriedMessages: number;
  failedInvocations: number;
}

export interface QueueConsumer {
  /** Stops polling and resolves once the invocations in flight (and their deletes) have finished. */
  stop(): Promise<void>;
  stats(): ConsumerStats;
}

const BACKOFF_AFTER_QUEUE_ERROR_MS = 1000;

/**
 * @example
 * const consumer = startQueueConsumer({ queue, batchSize: 500, batchWindowSeconds: 1, invoke: handler, queueArn, region });
 * await consumer.stop();
 */
export function startQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const { queue, batchSize, batchWindowSeconds } = options;
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) throw new InvalidQueueArgumentError(queue.name, "batchSize", batchSize, "Lambda allows 1 to 10000");
  if (!(batchWindowSeconds >= 0 && batchWindowSeconds <= 300)) throw new InvalidQueueArgumentError(queue.name, "batchWindowSeconds", batchWindowSeconds, "Lambda allows 0 to 300");
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new InvalidQueueArgumentError(queue.name, "concurrency", concurrency, "an integer of at least 1");
  const report = options.onError ?? ((error: Error) => console.error(error));
  const stats: ConsumerStats = { invocations: 0, deletedMessages: 0, retriedMessages: 0, failedInvocations: 0 };
  const stopping = new AbortController();

  const deliver = async (messages: ReceivedMessage[]): Promise<void> => {
    const event = toSqsEvent(messages, options);
    stats.invocations++;
    let failedIds: Set<string>;
    try {
      failedIds = failedItems(await options.invoke(event), messages);
    } catch (error) {
      failedIds = new Set(messages.map((m) => m.messageId));
      stats.failedInvocations++;
      report(new QueueInvocationFailedError(queue.name, [...failedIds], `invocation failed: ${errorMessage(error)}`, { cause: error }));
    }
    const succeeded = messages.filter((m) => !failedIds.has(m.messageId));
    stats.retriedMessages += failedIds.size;
    await Promise.all(succeeded.map((m) => queue.delete(m.receiptHandle)));
    stats.deletedMessages += succeeded.length;
  };

  const poll = async (): Promise<void> => {
    const signal = stopping.signal;
    while (!signal.aborted) {
      try {
        if (!(await queue.waitForMessages({ signal }))) continue;
        if (batchWindowSeconds > 0 && batchSize > 1) await queue.waitForMessages({ minVisible: batchSize, timeoutMs: batchWindowSeconds * 1000, signal });
        if (signal.aborted) break;
        const messages = await queue.receive(batchSize);
        if (messages.length > 0) await deliver(messages);
      } catch (error) {
        if (error instanceof QueueClosedError) break;
        report(new LocalPlatformError(`local queue ${queue.name}: polling failed: ${errorMessage(error)}`, { cause: error }));
        await sleep(BACKOFF_AFTER_QUEUE_ERROR_MS, signal);
      }
    }
  };

  const pollers = Array.from({ length: concurrency }, () => poll());
  return {
    async stop() {
      stopping.abort();
      await Promise.all(pollers);
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * The message ids to keep from a function's response, per Lambda's rules: no response or no/empty
 * `batchItemFailures` = all succeeded; a malformed list or an unknown/empty `itemIdentifier` = the whole batch failed.
 */
function failedItems(response: unknown, messages: ReceivedMessage[]): Set<string> {
  if (response === null || typeof response !== "object") return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  const all = new Set(messages.map((m) => m.messageId));
  if (!Array.isArray(failures)) throw new Error(`batchItemFailures is not a list: ${JSON.stringify(failures)}`);
  const failed = new Set<string>();
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || !all.has(id)) throw new Error(`batchItemFailures names ${JSON.stringify(id)}, which is not a message of this batch`);
    failed.add(id);
  }
  return failed;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
