/**
 * Lets consumers sleep until a queue has messages, without polling: they are woken when a send becomes durable,
 * when a visibility change makes a message visible, or by one timer set for the next in-flight message's
 * visibility timeout. Nothing runs while a queue is idle.
 */
export interface WaitForMessagesOptions {
  /** Resolve once at least this many messages are visible. Default 1. */
  minVisible?: number;
  /** Give up after this long (the result then says whether `minVisible` was reached). Default: wait indefinitely. */
  timeoutMs?: number;
  /** Aborting resolves the wait with `false`. */
  signal?: AbortSignal;
}

interface Waiter {
  minVisible: number;
  settle: (reached: boolean) => void;
}

/** What the waiters need to know about the queue; `refresh` promotes messages whose timeout has passed. */
export interface VisibilitySource {
  refresh(): void;
  visibleCount(): number;
  nextVisibleAt(): number | undefined;
  now(): number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class VisibilityWaiters {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly source: VisibilitySource) {}

  wait(options: WaitForMessagesOptions = {}): Promise<boolean> {
    const minVisible = Math.max(1, options.minVisible ?? 1);
    this.source.refresh();
    if (this.source.visibleCount() >= minVisible) return Promise.resolve(true);
    if (options.signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timeout: NodeJS.Timeout | undefined;
      const onAbort = () => waiter.settle(false);
      const waiter: Waiter = {
        minVisible,
        settle: (reached) => {
          if (!this.waiters.delete(waiter)) return;
          if (timeout) clearTimeout(timeout);
          options.signal?.removeEventListener("abort", onAbort);
          resolve(reached);
          this.armTimer();
        },
      };
      this.waiters.add(waiter);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timeout = setTimeout(() => {
          this.source.refresh();
          waiter.settle(this.source.visibleCount() >= minVisible);
        }, Math.min(Math.max(0, options.timeoutMs), MAX_TIMER_MS));
      }
      this.armTimer();
    });
  }

  /** Something may have become visible: settle every waiter whose threshold is now met. */
  notify(): void {
    if (this.waiters.size === 0) return;
    this.source.refresh();
    const visible = this.source.visibleCount();
    for (const waiter of [...this.waiters]) if (visible >= waiter.minVisible) waiter.settle(true);
    this.armTimer();
  }

  /** Settles every waiter with `false` (the queue is closing). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.settle(false);
    this.clearTimer();
  }

  private armTimer(): void {
    const next = this.waiters.size > 0 ? this.source.nextVisibleAt() : undefined;
    if (next === undefined) return this.clearTimer();
    if (this.timer && this.timerAt <= next) return;
    this.clearTimer();
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.notify();
    }, Math.min(Math.max(0, next - this.source.now()), MAX_TIMER_MS));
    // Waiting consumers should not keep a process alive on their own; servers and explicit stops own the lifetime.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
