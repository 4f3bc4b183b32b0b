/**
 * The `LakeStore` port: the lake bucket as core code sees it. Adapters: `S3LakeStore` (AWS SDK v3) and
 * `FileSystemLakeStore` (a directory with the same keys). Core code never knows which one it got.
 */
import type { Readable } from "node:stream";

export interface LakeObject {
  key: string;
  size: number;
  /** Content hash without quotes (S3 ETag; md5 hex for the filesystem adapter). */
  etag: string;
  lastModified: Date;
  versionId?: string;
}

/**
 * An object as `listKeys` names it: no content hash, which the filesystem adapter can only get by reading the
 * whole file (on a cold cache, ~0.3 s for 147 MB of bronze).
 */
export type ListedObject = Pick<LakeObject, "key" | "size" | "lastModified">;

export interface PutOptions {
  contentType?: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (HTTP Range semantics); omitted = to the end. */
  end?: number;
}

export interface StagedPrefix {
  /** A local directory holding the objects under the prefix, with their relative key paths. */
  dir: string;
  /** Removes what staging copied (a no-op when the store is already local). */
  cleanup(): Promise<void>;
}

export interface LakeStore {
  readonly kind: "s3" | "filesystem";
  /** Human-readable location, e.g. `s3://bucket` or `/path/to/lake`. */
  readonly location: string;
  /** Writes an object atomically: readers see the old object or the whole new one, never a part. Streams use multipart upload on S3. */
  put(key: string, body: Uint8Array | string | Readable, options?: PutOptions): Promise<LakeObject>;
  get(key: string): Promise<Uint8Array>;
  /** Streamed (optionally ranged) read, for files larger than memory. */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Metadata, or undefined when the object does not exist. */
  head(key: string): Promise<LakeObject | undefined>;
  /** Every object under a prefix, in key order. */
  list(prefix: string): AsyncIterable<LakeObject>;
  /** `list` without etags, for callers that need only keys, sizes and times (most do). */
  listKeys(prefix: string): AsyncIterable<ListedObject>;
  delete(key: string): Promise<void>;
  /** Makes the objects under a prefix readable as local files (DuckDB cannot use httpfs offline). */
  stage(prefix: string): Promise<StagedPrefix>;
}
