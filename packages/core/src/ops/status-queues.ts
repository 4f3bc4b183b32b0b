/**
 * Queue and dead-letter queue depths for the status. `QueuePort` (shared with AWS) only sends, so depths come
 * through this small port of their own: the local platform's queues implement it here, from `LocalQueue.depth()`;
 * on AWS it would be SQS `GetQueueAttributes` (ApproximateNumberOfMessages / …NotVisible).
 */

export interface QueueDepthCounts {
  /** Messages waiting to be received. */
  visible: number;
  /** Messages received and not yet deleted (being worked on, or waiting out their visibility timeout). */
  inFlight: number;
}

export interface QueueDepthReading extends QueueDepthCounts {
  queue: string;
  /** The queue's dead-letter queue, when it has one: anything here needs a person (inspect, then redrive). */
  deadLetter: ({ queue: string } & QueueDepthCounts) | null;
}

export interface QueueDepthPort {
  /** Every work queue with its dead-letter queue, by queue name. */
  readDepths(): Promise<QueueDepthReading[]>;
}

/** What the port needs of a local queue (`LocalQueue` has it). */
export interface DepthReadableQueue {
  readonly name: string;
  readonly deadLetterQueue?: DepthReadableQueue | undefined;
  depth(): QueueDepthCounts;
}

/**
 * The depth port over the local platform's queues. A queue that is some other queue's dead-letter queue is
 * reported with that queue, not on its own line.
 *
 * @example const depths = await localQueueDepths(platform.queues.values()).readDepths(); // [{ queue: "file-ingest", visible: 0, inFlight: 0, deadLetter: { queue: "file-ingest-dlq", … } }, …]
 */
export function localQueueDepths(queues: Iterable<DepthReadableQueue>): QueueDepthPort {
  const all = [...queues];
  return {
    readDepths: async () => {
      const deadLetterQueues = new Set(all.flatMap((q) => (q.deadLetterQueue ? [q.deadLetterQueue] : [])));
      return all
        .filter((q) => !deadLetterQueues.has(q))
        .map((q): QueueDepthReading => {
          const { visible, inFlight } = q.depth();
          const dlq = q.deadLetterQueue;
          return { queue: q.name, visible, inFlight, deadLetter: dlq ? { queue: dlq.name, ...pick(dlq.depth()) } : null };
        })
        .sort((a, b) => a.queue.localeCompare(b.queue));
    },
  };
}

const pick = ({ visible, inFlight }: QueueDepthCounts): QueueDepthCounts => ({ visible, inFlight });
