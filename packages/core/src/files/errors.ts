/** Errors of the files domain; messages start with `files:` and name the object key. */
export class FilesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FilesError";
  }
}

/**
 * A landed file we refuse as a whole, before any of it reaches bronze. Permanent: retrying cannot help, so the
 * notification is answered once and the reason recorded under `manifests/rejected/`, instead of a trip to the DLQ.
 */
export class RejectedFileError extends FilesError {
  constructor(readonly key: string, readonly reason: string, message = `files: refusing ${JSON.stringify(key)}: ${reason}`) {
    super(message);
    this.name = "RejectedFileError";
  }
}

/** A landed key we refuse to read: outside any declared feed, or unsafe. */
export class RejectedKeyError extends RejectedFileError {
  constructor(key: string, reason: string) {
    super(key, reason);
    this.name = "RejectedKeyError";
  }
}

/**
 * A file too large for one invocation (time or ephemeral storage). Refused before reading, or — when it runs out
 * of time anyway — after removing what it had written: never a silent partial load.
 */
export class FileTooLargeError extends RejectedFileError {
  constructor(key: string, reason: string) {
    super(key, reason, `files: ${JSON.stringify(key)} is too large for one invocation: ${reason}`);
    this.name = "FileTooLargeError";
  }
}

/** The file's columns (CSV header, Parquet schema) do not match the feed's declaration. */
export class HeaderMismatchError extends RejectedFileError {
  constructor(key: string, reason: string) {
    super(key, reason, `files: ${JSON.stringify(key)} does not match its feed: ${reason}`);
    this.name = "HeaderMismatchError";
  }
}

/**
 * Something in the content makes the whole file unreadable (invalid bytes for its encoding, a row longer than the
 * reader's bound). Raised by the readers, which do not know the key; `ingestFile` reports it as an
 * `UnreadableFileError` naming the key.
 */
export class UnreadableContentError extends FilesError {
  constructor(readonly reason: string) {
    super(`files: ${reason}`);
    this.name = "UnreadableContentError";
  }
}

/** The file itself is unreadable (truncated gzip, not Parquet, wrong encoding); nothing of it is kept in bronze. */
export class UnreadableFileError extends FilesError {
  constructor(readonly key: string, reason: string, options?: { cause?: unknown }) {
    super(`files: cannot read ${key}: ${reason}`, options);
    this.name = "UnreadableFileError";
  }
}

/**
 * DuckDB read the staged file differently from the scanner that staged it (other rows, or rows it rejected).
 * Raised before anything is uploaded; `ingestFile` then ingests the file on the streaming path instead, so an
 * unforeseen difference costs time, never rows. The manifest says so (`engineFallback`).
 */
export class DuckDbDisagreementError extends FilesError {
  constructor(readonly key: string, readonly reason: string) {
    super(`files: DuckDB disagrees with the CSV scanner on ${key}: ${reason}`);
    this.name = "DuckDbDisagreementError";
  }
}
