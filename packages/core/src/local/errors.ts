/**
 * Errors of the embedded local platform's primitives (queues, bus, schedules, state machines).
 * Messages start with `local <primitive>` and carry the offending value.
 */
export class LocalPlatformError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LocalPlatformError";
  }
}

/** A queue was used after `close()`. */
export class QueueClosedError extends LocalPlatformError {
  constructor(readonly queue: string) {
    super(`local queue ${queue}: the queue is closed`);
    this.name = "QueueClosedError";
  }
}

/** A queue option or call argument is outside what SQS accepts. */
export class InvalidQueueArgumentError extends LocalPlatformError {
  constructor(readonly queue: string, readonly argument: string, readonly value: unknown, rule: string) {
    super(`local queue ${queue}: ${argument} ${describe(value)} is invalid (${rule})`);
    this.name = "InvalidQueueArgumentError";
  }
}

/** A consumer's invocation threw or answered with an invalid batch response; its messages stay queued for a retry. */
export class QueueInvocationFailedError extends LocalPlatformError {
  constructor(readonly queue: string, readonly messageIds: string[], reason: string, options?: { cause?: unknown }) {
    super(`local queue ${queue}: ${reason}; ${messageIds.length} message(s) will be retried after the visibility timeout`, options);
    this.name = "QueueInvocationFailedError";
  }
}

/** The journal holds a line that is not the torn tail of a crashed write: real corruption, refuse to guess. */
export class QueueJournalCorruptError extends LocalPlatformError {
  constructor(readonly file: string, readonly line: number, options?: { cause?: unknown }) {
    super(`local queue: journal ${file} is corrupt at line ${line}`, options);
    this.name = "QueueJournalCorruptError";
  }
}

/** Writing or syncing the journal failed; the queue stops accepting work until it is reopened. */
export class QueueJournalWriteError extends LocalPlatformError {
  constructor(readonly file: string, options?: { cause?: unknown }) {
    super(`local queue: could not write journal ${file}`, options);
    this.name = "QueueJournalWriteError";
  }
}

/** `changeVisibility` with a receipt handle that is unknown, stale (received again since) or no longer in flight. */
export class InvalidReceiptHandleError extends LocalPlatformError {
  constructor(readonly queue: string, readonly receiptHandle: string, reason: string) {
    super(`local queue ${queue}: receipt handle ${receiptHandle} ${reason}`);
    this.name = "InvalidReceiptHandleError";
  }
}

/** An event pattern uses an operator or shape EventBridge would reject (or that the local bus does not implement). */
export class InvalidEventPatternError extends LocalPlatformError {
  constructor(readonly path: string, reason: string) {
    super(`local bus: event pattern at ${path || "(root)"} is invalid: ${reason}`);
    this.name = "InvalidEventPatternError";
  }
}

export class UnknownBusError extends LocalPlatformError {
  constructor(readonly bus: string, known: string[]) {
    super(`local bus: no event bus named "${bus}" (known: ${known.join(", ")})`);
    this.name = "UnknownBusError";
  }
}

/** A bus rule or `put` entry is malformed (duplicate rule name, empty source, detail not an object, too large). */
export class InvalidBusArgumentError extends LocalPlatformError {
  constructor(message: string) {
    super(`local bus: ${message}`);
    this.name = "InvalidBusArgumentError";
  }
}

export class InvalidScheduleExpressionError extends LocalPlatformError {
  constructor(readonly expression: string, reason: string) {
    super(`local schedule: expression "${expression}" is invalid: ${reason}`);
    this.name = "InvalidScheduleExpressionError";
  }
}

/** The ASL definition does not parse or fails the interpreter's validation. */
export class InvalidStateMachineError extends LocalPlatformError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`local stepfunctions: state machine definition is invalid: ${reason}`, options);
    this.name = "InvalidStateMachineError";
  }
}

/** A Task state has no local handler: running it would call a real AWS Lambda, which local mode never does. */
export class MissingTaskHandlerError extends LocalPlatformError {
  constructor(readonly states: string[]) {
    super(`local stepfunctions: no local handler for Task state(s) ${states.map((s) => `"${s}"`).join(", ")}`);
    this.name = "MissingTaskHandlerError";
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}
