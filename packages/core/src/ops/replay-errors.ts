/**
 * Errors of replaying a dead-letter queue. They extend the ops domain's base error (`errors.ts`); messages start
 * with `ops: replay` and carry the bad value.
 */
import { OpsError } from "./errors";

/** The queue named is not one the wiring declares; the message lists the ones it does. */
export class UnknownQueueError extends OpsError {
  constructor(readonly queue: string, readonly known: readonly string[]) {
    super(`ops: replay: no queue named "${queue}" (declared: ${known.join(", ") || "none"}; each has a dead-letter queue <name>-dlq)`);
    this.name = "UnknownQueueError";
  }
}

/** A replay option outside what the replay accepts. */
export class InvalidReplayOptionError extends OpsError {
  constructor(readonly option: string, readonly value: unknown, rule: string) {
    super(`ops: replay: option ${option} ${JSON.stringify(value)} is invalid (${rule})`);
    this.name = "InvalidReplayOptionError";
  }
}
