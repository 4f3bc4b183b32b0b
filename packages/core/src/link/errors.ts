/** Errors of the link domain. Messages start with `link:` and carry the value that was wrong. */
export class LinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LinkError";
  }
}

/** A dataset links by a hashed key (e.g. email) but the keyed-hash secret is not set. */
export class LinkHashKeyMissingError extends LinkError {
  constructor(readonly keyName: string) {
    super(`link: link key "${keyName}" is hashed, but secret LINK_HASH_KEY is not set (locally: TRIBUTARY_LINK_HASH_KEY)`);
    this.name = "LinkHashKeyMissingError";
  }
}

/** Merging kept losing races: every attempt found the graph changed under it. Safe to retry the record. */
export class MergeContentionError extends LinkError {
  constructor(
    readonly recordId: string,
    readonly attempts: number,
  ) {
    super(`link: record ${recordId}: its entities changed under ${attempts} merge attempts in a row; retry the record`);
    this.name = "MergeContentionError";
  }
}

/** A `record.ingested` announcement that is not what the ingestion side sends. */
export class InvalidAnnouncementError extends LinkError {
  constructor(reason: string) {
    super(`link: not a record.ingested announcement: ${reason}`);
    this.name = "InvalidAnnouncementError";
  }
}
