/**
 * Opens a queue declared in the wiring together with its dead-letter queue `<name>-dlq`, the way the stacks
 * create them: same visibility timeout, retention and redrive policy.
 */
import { join } from "node:path";
import type { QueueDecl } from "../../wiring";
import { LocalQueue } from "./local-queue";

export interface DeclaredQueue {
  queue: LocalQueue;
  deadLetterQueue: LocalQueue;
}

/** Dead-letter queues keep messages as long as SQS allows, so there is time to inspect and redrive them. */
const DEAD_LETTER_RETENTION_DAYS = 14;

/**
 * @example const { queue, deadLetterQueue } = await openDeclaredQueue(`${home}/queues`, wiring(config, ctx).queues[0]);
 */
export async function openDeclaredQueue(queuesDir: string, decl: QueueDecl, options: { now?: () => number } = {}): Promise<DeclaredQueue> {
  const deadLetterName = `${decl.name}-dlq`;
  const deadLetterQueue = await LocalQueue.open({
    name: deadLetterName,
    dir: join(queuesDir, deadLetterName),
    retentionDays: DEAD_LETTER_RETENTION_DAYS,
    now: options.now,
  });
  try {
    const queue = await LocalQueue.open({
      name: decl.name,
      dir: join(queuesDir, decl.name),
      visibilityTimeoutSeconds: decl.visibilityTimeoutSeconds,
      retentionDays: decl.retentionDays,
      deadLetter: { queue: deadLetterQueue, maxReceiveCount: decl.maxReceiveCount },
      now: options.now,
    });
    return { queue, deadLetterQueue };
  } catch (error) {
    await deadLetterQueue.close();
    throw error;
  }
}
