/**
 * Moves messages from one queue to another keeping their message ids and send times — replaying a
 * dead-letter queue into its source once the cause is fixed.
 */
import type { LocalQueue } from "./local-queue";

/**
 * Moves up to `max` visible messages from `source` to `target`; resolves with how many moved. Each batch is
 * durable in `target` before it is deleted from `source`, so a crash can duplicate but never lose.
 *
 * @example await redriveMessages(deadLetterQueue, queue); // every dead-lettered message is back in the source queue
 */
export async function redriveMessages(source: LocalQueue, target: LocalQueue, max = Number.POSITIVE_INFINITY): Promise<number> {
  let moved = 0;
  while (moved < max) {
    const batch = await source.receive(Math.min(1000, max - moved));
    if (batch.length === 0) break;
    await target.acceptMoved(batch.map(({ messageId, id, body, sentAt }) => ({ messageId, id, body, sentAt })));
    await Promise.all(batch.map((m) => source.delete(m.receiptHandle)));
    moved += batch.length;
  }
  return moved;
}
