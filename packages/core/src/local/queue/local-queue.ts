/**
 * A durable, in-process queue with SQS standard-queue semantics, persisted in one directory as a journal.
 *
 * - `send` resolves only once its messages are fsynced (group commit: concurrent sends share one sync), and a
 *   message becomes receivable only then, so nothing is processed that its producer was not told is stored.
 * - `receive` hides messages for the visibility timeout and journals that (with the receive count) before
 *   returning, so a message that crashes its consumer still counts towards the dead-letter threshold.
 * - In-flight messages survive restarts: they become visible again when the persisted timeout passes.
 * - Redrive policy: a message already received `maxReceiveCount` times moves to the dead-letter queue instead of
 *   being delivered again (checked when it would be delivered, like SQS).
 * - Retention, like SQS: a message older than the retention period (measured from its original send, also in the
 *   dead-letter queue) is deleted instead of delivered. The deletion is journaled and counted in `stats().expired`.
 *
 * One process owns a queue directory at a time; opening it again (as after a crash) replays and compacts the journal.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidReceiptHandleError, QueueClosedError } from "../errors";
import { AppendLog } from "./append-log";
import { encodeRecord, encodeSnapshot, replayJournal } from "./journal";
import { MessageStore, type StoredMessage } from "./message-store";
import { assertMaxReceiveCount, assertReceiveBatch, assertSendable, validRetentionDays, validVisibilityTimeout } from "./queue-arguments";
import type { LocalQueueOptions, MovedMessage, QueueDepth, QueueMessageInput, QueueStats, ReceivedMessage } from "./queue-types";
import { decodeReceiptHandle, encodeReceiptHandle } from "./receipt-handle";
import { VisibilityWaiters, type WaitForMessagesOptions } from "./visibility-waiters";

const DAY_MS = 24 * 60 * 60 * 1000;

export class LocalQueue {
  readonly name: string;
  readonly dir: string;
  readonly deadLetterQueue: LocalQueue | undefined;
  private readonly store: MessageStore;
  private readonly waiters: VisibilityWaiters;
  private readonly now: () => number;
  private readonly visibilityTimeoutMs: number;
  private readonly retentionMs: number;
  private readonly maxReceiveCount: number;
  private readonly compactAfterBytes: number;
  private readonly counters: QueueStats = { sent: 0, received: 0, deleted: 0, deadLettered: 0, expired: 0 };
  private log!: AppendLog;
  private closed = false;

  private constructor(options: LocalQueueOptions, store: MessageStore) {
    this.name = options.name;
    this.dir = options.dir;
    this.store = store;
    this.now = options.now ?? Date.now;
    this.visibilityTimeoutMs = validVisibilityTimeout(options.name, options.visibilityTimeoutSeconds ?? 30) * 1000;
    this.retentionMs = validRetentionDays(options.name, options.retentionDays ?? 4) * DAY_MS;
    this.deadLetterQueue = options.deadLetter?.queue;
    this.maxReceiveCount = options.deadLetter?.maxReceiveCount ?? Number.POSITIVE_INFINITY;
    if (options.deadLetter) assertMaxReceiveCount(options.name, this.maxReceiveCount);
    this.compactAfterBytes = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.waiters = new VisibilityWaiters({
      refresh: () => this.store.promoteDue(this.now()),
      visibleCount: () => this.store.visibleCount,
      nextVisibleAt: () => this.store.nextVisibleAt(),
      now: () => this.now(),
    });
  }

  /**
   * Opens (or creates) the queue in `options.dir`: replays the journal, then compacts it.
   *
   * @example
   * const dlq = await LocalQueue.open({ name: "stream-records-dlq", dir: `${home}/queues/stream-records-dlq` });
   * const queue = await LocalQueue.open({ name: "stream-records", dir: `${home}/queues/stream-records`, deadLetter: { queue: dlq, maxReceiveCount: 5 } });
   */
  static async open(options: LocalQueueOptions): Promise<LocalQueue> {
    const store = new MessageStore();
    // Constructed first so bad options fail before anything touches the disk.
    const queue = new LocalQueue(options, store);
    await mkdir(options.dir, { recursive: true });
    const file = join(options.dir, "journal.jsonl");
    const { messages } = await replayJournal(file);
    const now = queue.now();
    for (const m of messages.values()) {
      const inFlight = m.invisibleUntil > now;
      store.add({ ...m, invisibleUntil: inFlight ? m.invisibleUntil : 0, state: inFlight ? "inflight" : "visible" });
    }
    queue.log = await AppendLog.create(file, encodeSnapshot(store.live()));
    return queue;
  }

  /**
   * Stores messages durably; resolves with their message ids once they are fsynced.
   *
   * @example const [messageId] = await queue.send([{ id: "rec-1", body: JSON.stringify(record) }]);
   */
  async send(messages: readonly QueueMessageInput[]): Promise<string[]> {
    this.assertOpen();
    const sentAt = this.now();
    for (const m of messages) assertSendable(this.name, m);
    return this.enqueue(
      messages.map((m) => ({ messageId: randomUUID(), id: m.id, body: m.body, sentAt })),
      false,
    );
  }

  /** Accepts messages moved from another queue, keeping their ids and send times; ids already present are skipped. */
  async acceptMoved(messages: readonly MovedMessage[]): Promise<void> {
    this.assertOpen();
    await this.enqueue(messages, true);
  }

  /**
   * Receives up to `maxMessages` visible messages, oldest first, hiding them for the visibility timeout.
   *
   * @example for (const m of await queue.receive(10)) { handle(m.body); await queue.delete(m.receiptHandle); }
   */
  async receive(maxMessages = 1, options: { visibilityTimeoutSeconds?: number } = {}): Promise<ReceivedMessage[]> {
    this.assertOpen();
    assertReceiveBatch(this.name, maxMessages);
    const hideMs = options.visibilityTimeoutSeconds === undefined ? this.visibilityTimeoutMs : validVisibilityTimeout(this.name, options.visibilityTimeoutSeconds) * 1000;
    const now = this.now();
    this.store.promoteDue(now);
    const delivered: StoredMessage[] = [];
    const deadLettered: StoredMessage[] = [];
    const lines: string[] = [];
    while (delivered.length < maxMessages) {
      const message = this.store.popVisible();
      if (!message) break;
      if (now - message.sentAt >= this.retentionMs) {
        this.store.remove(message);
        this.counters.expired++;
        lines.push(encodeRecord({ t: "e", m: message.messageId }));
      } else if (message.receiveCount >= this.maxReceiveCount) {
        deadLettered.push(message);
      } else {
        message.receiveCount++;
        message.firstReceivedAt ??= now;
        lines.push(encodeRecord({ t: "r", m: message.messageId, n: message.receiveCount, u: now + hideMs, at: now }));
        delivered.push(message);
      }
    }
    // Hidden only after the loop so a zero visibility timeout cannot hand the same message out twice in one call.
    for (const message of delivered) this.store.hideUntil(message, now + hideMs, now);
    const received = delivered.map((m) => this.toReceived(m));
    this.counters.received += received.length;
    const writes: Promise<void>[] = [];
    if (lines.length > 0) writes.push(this.log.append(lines.join("\n")));
    if (deadLettered.length > 0) writes.push(this.moveToDeadLetterQueue(deadLettered));
    this.compactIfWorthIt();
    if (hideMs === 0) this.waiters.notify();
    await Promise.all(writes);
    return received;
  }

  /**
   * Deletes a received message. Like SQS, a handle from an earlier receive (the message was delivered again since)
   * deletes nothing; the result says whether the message was deleted.
   */
  async delete(receiptHandle: string): Promise<boolean> {
    this.assertOpen();
    const parts = this.parseHandle(receiptHandle);
    const message = this.store.get(parts.messageId);
    if (!message || message.receiveCount !== parts.receiveCount || (message.state !== "inflight" && message.state !== "visible")) return false;
    this.store.remove(message);
    this.counters.deleted++;
    const written = this.log.append(encodeRecord({ t: "d", m: message.messageId }));
    this.compactIfWorthIt();
    await written;
    return true;
  }

  /** Changes an in-flight message's visibility timeout, counted from now (0 makes it visible at once). */
  async changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    this.assertOpen();
    const seconds = validVisibilityTimeout(this.name, visibilityTimeoutSeconds);
    const parts = this.parseHandle(receiptHandle);
    const now = this.now();
    this.store.promoteDue(now);
    const message = this.store.get(parts.messageId);
    if (!message || message.receiveCount !== parts.receiveCount) throw new InvalidReceiptHandleError(this.name, receiptHandle, "is stale: the message was deleted or received again");
    if (message.state !== "inflight") throw new InvalidReceiptHandleError(this.name, receiptHandle, "refers to a message that is not in flight");
    const until = now + seconds * 1000;
    this.store.hideUntil(message, until, now);
    const written = this.log.append(encodeRecord({ t: "v", m: message.messageId, u: seconds === 0 ? 0 : until }));
    this.waiters.notify();
    await written;
  }

  depth(): QueueDepth {
    this.store.promoteDue(this.now());
    return { visible: this.store.visibleCount, inFlight: this.store.inFlightCount };
  }

  stats(): QueueStats {
    return { ...this.counters };
  }

  /**
   * Resolves `true` once at least `minVisible` messages are visible, `false` on timeout, abort or close; see
   * {@link WaitForMessagesOptions}. Rejects with `QueueClosedError` when called on a closed queue.
   */
  waitForMessages(options?: WaitForMessagesOptions): Promise<boolean> {
    if (this.closed) return Promise.reject(new QueueClosedError(this.name));
    return this.waiters.wait(options);
  }

  /** Waits for pending writes, wakes waiting consumers (with `false`) and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.releaseAll();
    await this.log.close();
  }

  /** `mayRepeat`: the ids come from elsewhere (a move) and may already be here; fresh UUIDs from `send` cannot. */
  private async enqueue(messages: readonly MovedMessage[], mayRepeat: boolean): Promise<string[]> {
    const added: StoredMessage[] = [];
    const lines: string[] = [];
    for (const m of messages) {
      if (mayRepeat && this.store.get(m.messageId)) continue;
      const stored: StoredMessage = { ...m, receiveCount: 0, firstReceivedAt: undefined, invisibleUntil: 0, state: "pending" };
      this.store.add(stored);
      added.push(stored);
      lines.push(encodeRecord({ t: "s", m: m.messageId, i: m.id, b: m.body, at: m.sentAt }));
    }
    if (lines.length > 0) {
      const written = this.log.append(lines.join("\n"));
      this.compactIfWorthIt();
      try {
        await written;
      } catch (error) {
        for (const m of added) this.store.remove(m);
        throw error;
      }
    }
    for (const m of added) this.store.release(m);
    this.counters.sent += added.length;
    this.waiters.notify();
    return messages.map((m) => m.messageId);
  }

  private async moveToDeadLetterQueue(messages: StoredMessage[]): Promise<void> {
    try {
      await this.deadLetterQueue!.acceptMoved(messages.map(({ messageId, id, body, sentAt }) => ({ messageId, id, body, sentAt })));
    } catch (error) {
      for (const m of [...messages].reverse()) this.store.returnDetached(m);
      this.waiters.notify();
      throw error;
    }
    // Journaled only after the dead-letter queue holds them: a crash in between duplicates, never loses.
    for (const m of messages) this.store.remove(m);
    this.counters.deadLettered += messages.length;
    await this.log.append(messages.map((m) => encodeRecord({ t: "x", m: m.messageId })).join("\n"));
  }

  private compactIfWorthIt(): void {
    const bytes = this.log.bytes;
    if (bytes > this.compactAfterBytes && bytes > 2 * this.store.liveBytes) this.log.requestRewrite(() => encodeSnapshot(this.store.live()));
  }

  private toReceived(m: StoredMessage): ReceivedMessage {
    return {
      messageId: m.messageId,
      id: m.id,
      body: m.body,
      sentAt: m.sentAt,
      receiptHandle: encodeReceiptHandle({ queue: this.name, messageId: m.messageId, receiveCount: m.receiveCount }),
      receiveCount: m.receiveCount,
      firstReceivedAt: m.firstReceivedAt ?? m.sentAt,
    };
  }

  private parseHandle(receiptHandle: string): { messageId: string; receiveCount: number } {
    const parts = decodeReceiptHandle(receiptHandle);
    if (!parts || parts.queue !== this.name) throw new InvalidReceiptHandleError(this.name, receiptHandle, "was not issued by this queue");
    return parts;
  }

  private assertOpen(): void {
    if (this.closed) throw new QueueClosedError(this.name);
  }
}
