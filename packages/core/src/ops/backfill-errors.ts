/**
 * Errors of a bronze backfill. They extend the ops domain's base error (`errors.ts`); messages start with
 * `ops: backfill` and carry the bad value.
 */
import { OpsError } from "./errors";

/** A date that is not a real `YYYY-MM-DD` calendar day. */
export class InvalidBackfillDateError extends OpsError {
  constructor(readonly option: "from" | "to", readonly value: string) {
    super(`ops: backfill: --${option} ${JSON.stringify(value)} is not a date (expected YYYY-MM-DD, a real calendar day)`);
    this.name = "InvalidBackfillDateError";
  }
}

/** `from` after `to`, or a range longer than a backfill covers. */
export class InvalidBackfillRangeError extends OpsError {
  constructor(readonly from: string, readonly to: string, reason: string) {
    super(`ops: backfill: range ${from}..${to} is invalid: ${reason}`);
    this.name = "InvalidBackfillRangeError";
  }
}

/** The dataset named is not in the config; the message lists the ones that are. */
export class UnknownBackfillDatasetError extends OpsError {
  constructor(readonly dataset: string, known: readonly string[], options?: { cause?: unknown }) {
    super(`ops: backfill: no dataset named "${dataset}" (declared: ${known.join(", ") || "none"})`, options);
    this.name = "UnknownBackfillDatasetError";
  }
}

/** A bronze file whose Parquet footer cannot be read (truncated, encrypted, not Parquet). */
export class UnreadableBronzeFileError extends OpsError {
  constructor(readonly key: string, reason: string, options?: { cause?: unknown }) {
    super(`ops: backfill: ${key} is not a readable Parquet file: ${reason}`, options);
    this.name = "UnreadableBronzeFileError";
  }
}
