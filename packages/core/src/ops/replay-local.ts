/**
 * The {@link RedrivePort} of the embedded local platform, over its durable queues. Moved messages keep their
 * message id and original send time (`LocalQueue.acceptMoved`, as the queue's own dead-lettering does), so a
 * retention period still counts from the first send, and a message already back in the source queue is not
 * stored twice.
 */
import type { LocalQueue } from "../local/queue";
import type { QueueRef } from "../wiring";
import { OpsError } from "./errors";
import type { DeadLetter, RedrivePort, RefusedMessage } from "./replay-port";

/** Local queues take far more than SQS's 10 per call; 500 keeps one journal write per batch reasonably small. */
const LOCAL_BATCH_SIZE = 500;

/**
 * @example const port = localRedrivePort(platform.queues); // platform = await startLocalPlatform(…)
 */
export function localRedrivePort(queues: ReadonlyMap<string, LocalQueue>): RedrivePort {
  const queueOf = (name: QueueRef): LocalQueue => {
    const queue = queues.get(name);
    // The platform opens every declared queue with its DLQ; a missing one is a wiring bug, not user input.
    if (!queue) throw new OpsError(`ops: replay: the local platform has no queue "${name}" (open: ${[...queues.keys()].join(", ")})`);
    return queue;
  };
  return {
    maxBatchSize: LOCAL_BATCH_SIZE,
    async waiting(name) {
      return queueOf(name).depth().visible;
    },
    async receive(name, max, hideSeconds) {
      const received = await queueOf(name).receive(max, { visibilityTimeoutSeconds: hideSeconds });
      return received.map(({ receiptHandle, messageId, id, body, sentAt }): DeadLetter => ({ receipt: receiptHandle, messageId, id, body, sentAt }));
    },
    async send(name, messages): Promise<RefusedMessage[]> {
      await queueOf(name).acceptMoved(messages.map(({ messageId, id, body, sentAt }) => ({ messageId, id, body, sentAt })));
      return [];
    },
    async delete(name, messages) {
      const queue = queueOf(name);
      const deleted = await Promise.all(messages.map((m) => queue.delete(m.receipt)));
      const stale = messages.filter((_, i) => !deleted[i]);
      if (stale.length > 0) throw new OpsError(`ops: replay: ${stale.length} receipt(s) had expired (the messages were received again): ${stale.map((m) => m.messageId).join(", ")}`);
    },
    async release(name, messages) {
      const queue = queueOf(name);
      await Promise.all(messages.map((m) => queue.changeVisibility(m.receipt, 0)));
    },
  };
}
