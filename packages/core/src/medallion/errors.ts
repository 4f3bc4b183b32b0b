/** Errors of the medallion domain. Messages start with `medallion:` and carry the value that was wrong. */
export class MedallionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MedallionError";
  }
}

/** A dataset tokenises PII but the tokenisation key is not set. */
export class TokeniseKeyMissingError extends MedallionError {
  constructor(readonly dataset: string) {
    super(`medallion: dataset "${dataset}" tokenises PII columns, but secret TOKENISE_KEY is not set (locally: TRIBUTARY_TOKENISE_KEY)`);
    this.name = "TokeniseKeyMissingError";
  }
}

/** A published manifest that does not parse: the table's current version is unknown, so nothing is merged over it. */
export class InvalidManifestError extends MedallionError {
  constructor(key: string, reason: string) {
    super(`medallion: ${key} is not a valid table manifest: ${reason}`);
    this.name = "InvalidManifestError";
  }
}

/** A compacted bronze file does not hold exactly the rows of the files it replaces: the originals are kept. */
export class CompactionMismatchError extends MedallionError {
  constructor(readonly into: string, readonly expectedRows: number, readonly actualRows: number) {
    super(`medallion: compacting into ${into} wrote ${actualRows} rows, but its ${expectedRows} source rows were expected; originals kept`);
    this.name = "CompactionMismatchError";
  }
}
