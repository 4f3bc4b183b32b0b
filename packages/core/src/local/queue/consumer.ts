/**
 * The local event source mapping: delivers queue messages to a function the way Lambda's SQS poller does.
 *
 * - Batching: waits until `batchSize` messages are visible or `batchWindowSeconds` has passed since the first one.
 * - ReportBatchItemFailures: only the messages the function names stay on the queue; a thrown error (or an
 *   invalid response) fails the whole batch. Failed messages stay in flight and become visible again after the
 *   queue's visibility timeout, which is also what moves poison messages to the dead-letter queue eventually.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * - Sleeps on the queue's wake-ups while idle (no polling loop).
 * - Can be disabled and enabled again, like an event source mapping (`Enabled: false`): while disabled it takes
 *   nothing from the queue, which keeps its messages (a batch already taken still finishes). The local platform
 *   starts its consumers itself, so they are also reachable through their queue (`queueConsumersOf`).
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
  /**
   * Enables or disables the mapping, as `aws lambda update-event-source-mapping --enabled` does. Disabling
   * resolves once the invocations in flight have finished: from then on nothing is taken from the queue.
   */
  setEnabled(enabled: boolean): Promise<void>;
}

/** The consumers started on each queue, so that whoever holds a queue can reach its event source mappings. */
const consumersByQueue = new WeakMap<LocalQueue, Set<QueueConsumer>>();

/**
 * The running consumers of a queue (none once they are stopped).
 *
 * @example for (const consumer of queueConsumersOf(platform.queues.get("stream-records")!)) await consumer.setEnabled(false);
 */
export function queueConsumersOf(queue: LocalQueue): QueueConsumer[] {
  return [...(consumersByQueue.get(queue) ?? [])];
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
  const mapping = new MappingSwitch(stopping.signal);

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
        if (!mapping.enabled) {
          await mapping.whileDisabled();
          continue;
        }
        if (!(await queue.waitForMessages({ signal: mapping.signal }))) continue;
        if (batchWindowSeconds > 0 && batchSize > 1) await queue.waitForMessages({ minVisible: batchSize, timeoutMs: batchWindowSeconds * 1000, signal: mapping.signal });
        if (signal.aborted || !mapping.enabled) continue;
        const messages = await queue.receive(batchSize);
        if (messages.length > 0) await mapping.track(deliver(messages));
      } catch (error) {
        if (error instanceof QueueClosedError) break;
        report(new LocalPlatformError(`local queue ${queue.name}: polling failed: ${errorMessage(error)}`, { cause: error }));
        await sleep(BACKOFF_AFTER_QUEUE_ERROR_MS, signal);
      }
    }
  };

  const pollers = Array.from({ length: concurrency }, () => poll());
  const consumer: QueueConsumer = {
    async stop() {
      stopping.abort();
      await Promise.all(pollers);
      consumersByQueue.get(queue)?.delete(consumer);
    },
    stats: () => ({ ...stats }),
    setEnabled: (enabled) => mapping.set(enabled),
  };
  const registered = consumersByQueue.get(queue) ?? new Set<QueueConsumer>();
  consumersByQueue.set(queue, registered.add(consumer));
  return consumer;
}

/**
 * The enabled flag of one mapping. Pollers sleep on the queue with `signal`, which disabling (or stopping) aborts
 * to wake them; disabling then waits for the deliveries in flight. Enabling wakes the pollers parked meanwhile.
 */
class MappingSwitch {
  enabled = true;
  private wake = new AbortController();
  private parked: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly stop: AbortSignal) {
    stop.addEventListener("abort", () => {
      this.wake.abort();
      for (const resume of this.parked.splice(0)) resume();
    }, { once: true });
  }

  /** Aborted once the mapping is disabled or the consumer stops. */
  get signal(): AbortSignal {
    return this.wake.signal;
  }

  async set(enabled: boolean): Promise<void> {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (enabled) {
      if (!this.stop.aborted) this.wake = new AbortController();
      for (const resume of this.parked.splice(0)) resume();
      return;
    }
    this.wake.abort();
    await Promise.all([...this.inFlight]);
  }

  /** Resolves once the mapping is enabled again, or the consumer stops. */
  whileDisabled(): Promise<void> {
    if (this.enabled || this.stop.aborted) return Promise.resolve();
    return new Promise<void>((resume) => this.parked.push(resume));
  }

  async track(delivery: Promise<void>): Promise<void> {
    this.inFlight.add(delivery);
    try {
      await delivery;
    } finally {
      this.inFlight.delete(delivery);
    }
  }
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
