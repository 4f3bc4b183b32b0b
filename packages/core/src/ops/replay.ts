/**
 * Replaying a dead-letter queue: once the cause of the failures is fixed, messages in `<queue>-dlq` go back to
 * `<queue>`, batch by batch, through a {@link RedrivePort}. A message is deleted from the dead-letter queue only
 * after the source queue has stored it durably, so a crash or an error part-way can deliver a message twice but
 * never lose one — and every consumer is idempotent (see the README's "Replaying dead letters").
 */
import type { QueueName, QueueRef } from "../wiring";
import { InvalidReplayOptionError, UnknownQueueError } from "./replay-errors";
import type { DeadLetter, RedrivePort } from "./replay-port";

export interface ReplayProgress {
  /** Visible in the dead-letter queue when the replay started. */
  found: number;
  moved: number;
  failed: number;
}

export interface ReplayOutcome extends ReplayProgress {
  queue: QueueName;
  deadLetterQueue: QueueRef;
  /** Why messages failed or the replay stopped early; empty when every message found was moved. */
  problems: string[];
}

export interface ReplayOptions {
  /** Messages per receive/send/delete; default and maximum: the port's `maxBatchSize`. */
  batchSize?: number;
  onProgress?: (progress: ReplayProgress) => void;
}

/**
 * Seconds a received batch stays hidden in the dead-letter queue. Long enough for one batch's send and delete;
 * a refused message reappears after it, for the next replay.
 */
export const REPLAY_HIDE_SECONDS = 300;

/**
 * The queue a replay targets and its dead-letter queue. Both `stream-records` and `stream-records-dlq` name it.
 *
 * @example replayTarget("ga-forward-dlq", wiring.queues) // { queue: "ga-forward", deadLetterQueue: "ga-forward-dlq" }
 */
export function replayTarget(name: string, declared: readonly { name: QueueName }[]): { queue: QueueName; deadLetterQueue: QueueRef } {
  const base = name.endsWith("-dlq") ? name.slice(0, -"-dlq".length) : name;
  const found = declared.find((q) => q.name === base);
  if (!found) throw new UnknownQueueError(name, declared.map((q) => q.name));
  return { queue: found.name, deadLetterQueue: `${found.name}-dlq` };
}

/**
 * Moves the messages visible in `<queue>-dlq` when it starts back to `<queue>`. Messages dead-lettered again
 * while it runs wait for the next replay, so a consumer that still fails cannot keep it going. It never throws
 * once started: what could not be moved is counted in `failed` and explained in `problems`, and stays in the
 * dead-letter queue.
 *
 * @example
 * const outcome = await replayDeadLetters(localRedrivePort(platform.queues), "stream-records", platform.wiring.queues);
 * // { queue: "stream-records", deadLetterQueue: "stream-records-dlq", found: 12, moved: 12, failed: 0, problems: [] }
 */
export async function replayDeadLetters(
  port: RedrivePort,
  queueName: string,
  declared: readonly { name: QueueName }[],
  options: ReplayOptions = {},
): Promise<ReplayOutcome> {
  const { queue, deadLetterQueue } = replayTarget(queueName, declared);
  const batchSize = options.batchSize ?? port.maxBatchSize;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= port.maxBatchSize)) {
    throw new InvalidReplayOptionError("batchSize", batchSize, `an integer from 1 to ${port.maxBatchSize}`);
  }
  const outcome: ReplayOutcome = { queue, deadLetterQueue, found: await port.waiting(deadLetterQueue), moved: 0, failed: 0, problems: [] };
  const report = () => options.onProgress?.({ found: outcome.found, moved: outcome.moved, failed: outcome.failed });
  report();
  while (outcome.moved + outcome.failed < outcome.found) {
    const step = await moveBatch(port, { queue, deadLetterQueue }, Math.min(batchSize, outcome.found - outcome.moved - outcome.failed));
    outcome.moved += step.moved;
    outcome.failed += step.failed;
    outcome.problems.push(...step.problems);
    report();
    if (step.stop) break;
  }
  return outcome;
}

interface BatchStep {
  moved: number;
  failed: number;
  problems: string[];
  /** The queue service itself failed (not one message): further batches would fail the same way. */
  stop: boolean;
}

async function moveBatch(port: RedrivePort, queues: { queue: QueueName; deadLetterQueue: QueueRef }, max: number): Promise<BatchStep> {
  const { queue, deadLetterQueue } = queues;
  let batch: DeadLetter[];
  try {
    batch = await port.receive(deadLetterQueue, max, REPLAY_HIDE_SECONDS);
  } catch (error) {
    return { moved: 0, failed: 0, problems: [`receiving from ${deadLetterQueue} failed: ${messageOf(error)}`], stop: true };
  }
  // Fewer visible than counted at the start (another replay, retention, SQS's approximate count): done.
  if (batch.length === 0) return { moved: 0, failed: 0, problems: [], stop: true };

  let refused;
  try {
    refused = await port.send(queue, batch);
  } catch (error) {
    const problems = [`sending ${batch.length} message(s) to ${queue} failed: ${messageOf(error)}; they stay in ${deadLetterQueue}`];
    // Visible again at once, so the next replay need not wait for them.
    await port.release(deadLetterQueue, batch).catch((e: unknown) => problems.push(`releasing them failed (${messageOf(e)}); they reappear after ${REPLAY_HIDE_SECONDS}s`));
    return { moved: 0, failed: batch.length, problems, stop: true };
  }

  // Refused messages are left hidden rather than released, so this replay does not receive them again.
  const refusedReceipts = new Set(refused.map((r) => r.message.receipt));
  const stored = batch.filter((m) => !refusedReceipts.has(m.receipt));
  const problems = refused.map((r) => `message ${r.message.messageId} (id ${r.message.id}) refused by ${queue}: ${r.reason}; it stays in ${deadLetterQueue}`);
  try {
    await port.delete(deadLetterQueue, stored);
  } catch (error) {
    // Stored in the source queue, so they count as moved; still in the DLQ too, a later replay delivers them again.
    problems.push(`${stored.length} replayed message(s) could not be deleted from ${deadLetterQueue} (${messageOf(error)}); a later replay delivers them again`);
    return { moved: stored.length, failed: refused.length, problems, stop: true };
  }
  return { moved: stored.length, failed: refused.length, problems, stop: false };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
