/** Errors of the files domain; messages start with `files:` and name the object key. */
export class FilesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FilesError";
  }
}

/** A landed key we refuse to read: outside any declared feed, or unsafe. Permanent: retrying cannot help. */
export class RejectedKeyError extends FilesError {
  constructor(readonly key: string, readonly reason: string) {
    super(`files: refusing ${JSON.stringify(key)}: ${reason}`);
    this.name = "RejectedKeyError";
  }
}

/** The file itself is unreadable (truncated gzip, not Parquet, wrong encoding); nothing of it is kept in bronze. */
export class UnreadableFileError extends FilesError {
  constructor(readonly key: string, reason: string, options?: { cause?: unknown }) {
    super(`files: cannot read ${key}: ${reason}`, options);
    this.name = "UnreadableFileError";
  }
}
