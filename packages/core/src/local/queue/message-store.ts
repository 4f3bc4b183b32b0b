/**
 * The queue's in-memory indexes, kept so that send, receive, delete and visibility changes cost O(1) or
 * O(log n) each and never scan the queue: a map by message id, a FIFO of visible messages (stale entries are
 * skipped when popped) and a min-heap of in-flight messages ordered by when they become visible again.
 */
export type MessageState =
  /** Journaled but not yet fsynced: not receivable until its send is acknowledged. */
  | "pending"
  | "visible"
  /** Popped by a receive that has not yet decided between in-flight, dead-letter and expiry. */
  | "detached"
  | "inflight"
  | "gone";

export interface StoredMessage {
  readonly messageId: string;
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  invisibleUntil: number;
  state: MessageState;
}

/** Rough journal footprint of a live message, to decide when compaction pays off. */
const RECORD_OVERHEAD = 160;

export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();
  private visibleFifo: StoredMessage[] = [];
  private fifoHead = 0;
  private readonly inFlight = new VisibilityHeap();
  private counts = { visible: 0, inFlight: 0 };
  /** Approximate bytes a snapshot of the live messages takes. */
  liveBytes = 0;

  get visibleCount(): number {
    return this.counts.visible;
  }

  get inFlightCount(): number {
    return this.counts.inFlight;
  }

  get(messageId: string): StoredMessage | undefined {
    return this.byId.get(messageId);
  }

  /** Every live message, in the order it was first sent. */
  live(): IterableIterator<StoredMessage> {
    return this.byId.values();
  }

  /** Adds a message in the `pending`, `visible` or `inflight` state (replay uses the latter two). */
  add(message: StoredMessage): void {
    this.byId.set(message.messageId, message);
    this.liveBytes += message.body.length + message.id.length + RECORD_OVERHEAD;
    if (message.state === "visible") this.pushVisible(message);
    else if (message.state === "inflight") this.pushInFlight(message);
  }

  /** A pending message's send is durable: it joins the back of the FIFO. */
  release(message: StoredMessage): void {
    if (message.state === "pending") this.pushVisible(message);
  }

  /** Moves every in-flight message whose visibility timeout has passed back to the FIFO. */
  promoteDue(now: number): void {
    for (let top = this.inFlight.peek(); top && top.until <= now; top = this.inFlight.peek()) {
      this.inFlight.pop();
      const message = top.message;
      // Entries left behind by deletes or visibility changes no longer describe the message: skip them.
      if (message.state !== "inflight" || message.invisibleUntil !== top.until) continue;
      this.counts.inFlight--;
      message.invisibleUntil = 0;
      this.pushVisible(message);
    }
  }

  /** The oldest visible message, detached from the FIFO; the caller must then mark it in flight, remove or return it. */
  popVisible(): StoredMessage | undefined {
    while (this.fifoHead < this.visibleFifo.length) {
      const message = this.visibleFifo[this.fifoHead++]!;
      if (message.state !== "visible") continue;
      this.counts.visible--;
      message.state = "detached";
      this.compactFifo();
      return message;
    }
    return undefined;
  }

  /** Puts a detached message back at the front of the line (its receive could not complete). */
  returnDetached(message: StoredMessage): void {
    if (message.state !== "detached") return;
    message.state = "visible";
    this.counts.visible++;
    if (this.fifoHead > 0) this.visibleFifo[--this.fifoHead] = message;
    else this.visibleFifo.unshift(message);
  }

  /** Hides a detached or in-flight message until `until` (epoch ms); a time not in the future makes it visible now. */
  hideUntil(message: StoredMessage, until: number, now: number): void {
    if (message.state === "inflight") this.counts.inFlight--;
    else if (message.state !== "detached") return;
    if (until <= now) {
      message.invisibleUntil = 0;
      this.pushVisible(message);
      return;
    }
    message.invisibleUntil = until;
    this.pushInFlight(message);
  }

  remove(message: StoredMessage): void {
    if (message.state === "gone") return;
    if (message.state === "visible") this.counts.visible--;
    else if (message.state === "inflight") this.counts.inFlight--;
    message.state = "gone";
    this.byId.delete(message.messageId);
    this.liveBytes -= message.body.length + message.id.length + RECORD_OVERHEAD;
  }

  /** When the next in-flight message becomes visible (epoch ms), if any is in flight. */
  nextVisibleAt(): number | undefined {
    for (let top = this.inFlight.peek(); top; top = this.inFlight.peek()) {
      if (top.message.state === "inflight" && top.message.invisibleUntil === top.until) return top.until;
      this.inFlight.pop();
    }
    return undefined;
  }

  private pushVisible(message: StoredMessage): void {
    message.state = "visible";
    this.counts.visible++;
    this.visibleFifo.push(message);
  }

  private pushInFlight(message: StoredMessage): void {
    message.state = "inflight";
    this.counts.inFlight++;
    this.inFlight.push({ until: message.invisibleUntil, message });
  }

  private compactFifo(): void {
    if (this.fifoHead > 4096 && this.fifoHead * 2 > this.visibleFifo.length) {
      this.visibleFifo = this.visibleFifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }
}

interface HeapEntry {
  until: number;
  message: StoredMessage;
}

interface SequencedEntry extends HeapEntry {
  sequence: number;
}

/** Binary min-heap on `until`; ties leave in the order they came in, so equal timeouts keep FIFO order. */
class VisibilityHeap {
  private readonly items: SequencedEntry[] = [];
  private sequence = 0;

  peek(): HeapEntry | undefined {
    return this.items[0];
  }

  push(added: HeapEntry): void {
    const entry = { ...added, sequence: this.sequence++ };
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): HeapEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function before(a: SequencedEntry, b: SequencedEntry): boolean {
  return a.until < b.until || (a.until === b.until && a.sequence < b.sequence);
}
