/** Errors of the ingest domain; messages start with `ingest:` and carry the bad value. */
export class IngestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IngestError";
  }
}

/**
 * A message to be queued is not a JSON object envelope, so no correlation id can ride on it. The body itself is
 * left out of the message: it may hold a client's personal data, and this error is logged.
 */
export class UncorrelatableMessageError extends IngestError {
  constructor(body: string, why: string, options?: { cause?: unknown }) {
    super(`ingest: cannot add a correlation id to a queue message of ${body.length} characters: ${why}`, options);
    this.name = "UncorrelatableMessageError";
  }
}
