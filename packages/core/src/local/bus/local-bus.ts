/**
 * An in-process EventBridge: named buses, rules with event patterns, and targets called with the full event
 * envelope. `put` resolves once the events are accepted (and archived, when an archive directory is set);
 * delivery happens asynchronously, like EventBridge's. A failing target is retried a few times with backoff, then
 * the delivery is recorded as a dead letter with the reason (kept in memory for status, and archived) — never dropped.
 */
import type { EventPattern } from "../../wiring";
import { InvalidBusArgumentError, UnknownBusError } from "../errors";
import { LOCAL_ACCOUNT_ID } from "../queue/sqs-event";
import { buildEnvelope, type LocalBusEvent, type PutEventEntry } from "./envelope";
import { DEAD_LETTER_ARCHIVE, EventArchive } from "./event-archive";
import { matchesPattern } from "./match-pattern";
import { assertValidPattern } from "./validate-pattern";

export interface BusRule {
  name: string;
  bus: string;
  pattern: EventPattern;
  target: (event: LocalBusEvent) => Promise<void>;
}

/** A delivery given up on after every attempt failed. */
export interface BusDeadLetter {
  rule: string;
  bus: string;
  event: LocalBusEvent;
  attempts: number;
  reason: string;
  failedAt: string;
}

export interface LocalBusStats {
  accepted: number;
  delivered: number;
  /** Events no rule matched (normal on EventBridge too, counted so it can be seen). */
  unmatched: number;
  deadLettered: number;
}

export interface LocalBusOptions {
  /** Default `us-east-1`. */
  region?: string;
  account?: string;
  /** Default `default` and `tributary`. */
  buses?: string[];
  /** When set, every accepted event is appended to `<dir>/<bus>.jsonl` and every dead letter to `<dir>/dead-letters.jsonl`. */
  archiveDir?: string;
  /** Attempts per delivery, first one included. Default 3. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled for each next one. Default 100 ms. */
  retryDelayMs?: number;
  onDeadLetter?: (deadLetter: BusDeadLetter) => void;
  now?: () => Date;
}

export class LocalBus {
  private readonly buses: Set<string>;
  private readonly rulesByBus = new Map<string, Map<string, BusRule>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dead: BusDeadLetter[] = [];
  private readonly counters: LocalBusStats = { accepted: 0, delivered: 0, unmatched: 0, deadLettered: 0 };
  private readonly archive: EventArchive | undefined;
  private readonly region: string;
  private readonly account: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: LocalBusOptions = {}) {
    this.buses = new Set(options.buses ?? ["default", "tributary"]);
    for (const bus of this.buses) this.rulesByBus.set(bus, new Map());
    this.archive = options.archiveDir ? new EventArchive(options.archiveDir) : undefined;
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? LOCAL_ACCOUNT_ID;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    if (!(Number.isInteger(this.maxAttempts) && this.maxAttempts >= 1)) throw new InvalidBusArgumentError(`maxAttempts ${this.maxAttempts} must be an integer of at least 1`);
    if (!(this.retryDelayMs >= 0)) throw new InvalidBusArgumentError(`retryDelayMs ${this.retryDelayMs} must be 0 or more`);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * @example bus.addRule({ name: "link", bus: "tributary", pattern: { "detail-type": ["record.ingested"] }, target: async (event) => link(event) });
   */
  addRule(rule: BusRule): void {
    const rules = this.rulesOf(rule.bus);
    if (rules.has(rule.name)) throw new InvalidBusArgumentError(`bus "${rule.bus}" already has a rule named "${rule.name}"`);
    assertValidPattern(rule.pattern);
    rules.set(rule.name, rule);
  }

  removeRule(name: string, bus = "default"): boolean {
    return this.rulesOf(bus).delete(name);
  }

  /** Accepts events for delivery; resolves once they are archived (when archiving). */
  async put(entries: readonly PutEventEntry[]): Promise<void> {
    await this.putEvents(entries);
  }

  /**
   * Like `put`, returning the envelopes built (with their event ids).
   *
   * @example const [event] = await bus.putEvents([{ source: "tributary", detailType: "record.ingested", detail: { dataset: "orders" }, bus: "tributary" }]);
   */
  async putEvents(entries: readonly PutEventEntry[]): Promise<LocalBusEvent[]> {
    const now = this.now();
    const routed = entries.map((entry) => {
      const bus = entry.bus ?? "default";
      this.rulesOf(bus);
      return { bus, event: buildEnvelope(entry, { region: this.region, account: this.account, now }) };
    });
    await this.accept(routed);
    return routed.map((r) => r.event);
  }

  /** Accepts an already built envelope, as AWS services emit them (e.g. S3 "Object Created" on the default bus). */
  async putEnvelope(event: LocalBusEvent, bus = "default"): Promise<void> {
    this.rulesOf(bus);
    await this.accept([{ bus, event }]);
  }

  /** Resolves once every delivery started so far (retries included) has succeeded or been dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  deadLetters(): readonly BusDeadLetter[] {
    return [...this.dead];
  }

  stats(): LocalBusStats {
    return { ...this.counters };
  }

  /** Drains deliveries, then closes the archive. */
  async close(): Promise<void> {
    await this.drain();
    await this.archive?.close();
  }

  private async accept(routed: { bus: string; event: LocalBusEvent }[]): Promise<void> {
    if (this.archive) {
      const byBus = new Map<string, LocalBusEvent[]>();
      for (const { bus, event } of routed) {
        const events = byBus.get(bus);
        if (events) events.push(event);
        else byBus.set(bus, [event]);
      }
      await Promise.all([...byBus].map(([bus, events]) => this.archive!.append(bus, events)));
    }
    this.counters.accepted += routed.length;
    for (const { bus, event } of routed) {
      const matching = [...this.rulesOf(bus).values()].filter((rule) => matchesPattern(rule.pattern, event));
      if (matching.length === 0) this.counters.unmatched++;
      for (const rule of matching) this.track(this.deliver(rule, event));
    }
  }

  private async deliver(rule: BusRule, event: LocalBusEvent): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        // Each target gets its own copy, as each EventBridge target receives its own serialized event.
        await rule.target(structuredClone(event));
        this.counters.delivered++;
        return;
      } catch (error) {
        lastError = error;
        if (attempt < this.maxAttempts) await delay(this.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    const deadLetter: BusDeadLetter = {
      rule: rule.name,
      bus: rule.bus,
      event,
      attempts: this.maxAttempts,
      reason: lastError instanceof Error ? lastError.message : String(lastError),
      failedAt: new Date().toISOString(),
    };
    this.dead.push(deadLetter);
    this.counters.deadLettered++;
    this.options.onDeadLetter?.(deadLetter);
    await this.archive?.append(DEAD_LETTER_ARCHIVE, [deadLetter]);
  }

  private track(delivery: Promise<void>): void {
    // deliver() records its own failures; a failure to archive a dead letter must still not become an unhandled rejection.
    const tracked = delivery.catch((error: unknown) => {
      console.error(`local bus: could not archive a dead letter: ${String(error)}`);
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private rulesOf(bus: string): Map<string, BusRule> {
    const rules = this.rulesByBus.get(bus);
    if (!rules) throw new UnknownBusError(bus, [...this.buses]);
    return rules;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
