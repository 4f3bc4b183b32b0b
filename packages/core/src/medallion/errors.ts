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
