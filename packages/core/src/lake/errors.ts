/** Errors of the lake domain. Messages start with `lake:` and carry the offending key, value or column. */
import type { ByteRange } from "./store";

export class LakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LakeError";
  }
}

/** A key (or prefix) that could escape the lake root or that S3 and the filesystem would treat differently. */
export class UnsafeKeyError extends LakeError {
  constructor(readonly key: string, readonly reason: string) {
    super(`lake: unsafe key ${JSON.stringify(key)}: ${reason}`);
    this.name = "UnsafeKeyError";
  }
}

export class ObjectNotFoundError extends LakeError {
  constructor(readonly key: string, options?: { cause?: unknown }) {
    super(`lake: no object at ${key}`, options);
    this.name = "ObjectNotFoundError";
  }
}

/** A byte range that is malformed or starts past the end of the object (HTTP 416). */
export class InvalidRangeError extends LakeError {
  constructor(readonly key: string, readonly range: ByteRange, detail: string, options?: { cause?: unknown }) {
    super(`lake: invalid range bytes=${range.start}-${range.end ?? ""} for ${key}: ${detail}`, options);
    this.name = "InvalidRangeError";
  }
}

export class LakeWriteError extends LakeError {
  constructor(readonly key: string, detail: string, options?: { cause?: unknown }) {
    super(`lake: could not write ${key}: ${detail}`, options);
    this.name = "LakeWriteError";
  }
}

export class LakeReadError extends LakeError {
  constructor(readonly key: string, detail: string, options?: { cause?: unknown }) {
    super(`lake: could not read ${key}: ${detail}`, options);
    this.name = "LakeReadError";
  }
}

/** A value that does not fit its column when encoding Parquet (wrong canonical type, null in a required column, …). */
export class ParquetEncodeError extends LakeError {
  constructor(readonly column: string, readonly rowIndex: number, detail: string, options?: { cause?: unknown }) {
    super(`lake: column ${column}, row ${rowIndex}: ${detail}`, options);
    this.name = "ParquetEncodeError";
  }
}

/** A record handed to a writer that does not match the dataset (unknown field, missing lineage, bad value). */
export class InvalidRecordError extends LakeError {
  constructor(readonly dataset: string, readonly recordId: string | undefined, detail: string) {
    super(`lake: dataset ${dataset}${recordId === undefined ? "" : `, record ${JSON.stringify(recordId)}`}: ${detail}`);
    this.name = "InvalidRecordError";
  }
}

export class MissingLineageError extends InvalidRecordError {
  constructor(dataset: string, recordId: string | undefined, readonly column: string) {
    super(dataset, recordId, `lineage column ${column} is required but was not given`);
    this.name = "MissingLineageError";
  }
}

export class InvalidWriterOptionsError extends LakeError {
  constructor(readonly problems: string[]) {
    super(`lake: invalid writer options: ${problems.join("; ")}`);
    this.name = "InvalidWriterOptionsError";
  }
}

/** `add` or `close` on a writer that was already closed or that failed earlier (its buffered rows are gone). */
export class WriterClosedError extends LakeError {
  constructor(readonly dataset: string, state: "closed" | "failed", options?: { cause?: unknown }) {
    super(`lake: the writer for dataset ${dataset} is ${state}${state === "failed" ? " after an earlier error" : ""}`, options);
    this.name = "WriterClosedError";
  }
}
