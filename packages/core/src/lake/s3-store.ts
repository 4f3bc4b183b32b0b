/**
 * `S3LakeStore`: the lake bucket through the AWS SDK v3. Streams go up as multipart uploads (lib-storage),
 * ranged reads use the HTTP `Range` header, listings follow continuation tokens. Objects under `restricted/`
 * (raw PII) are written with SSE-KMS under their own key; everything else takes the bucket's default (the lake key).
 */
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { ByteRange, LakeObject, LakeStore, ListedObject, PutOptions, StagedPrefix } from "./store";
import { RESTRICTED_PREFIX, unsafeKeyReason } from "./keys";
import { assertDirectoryPrefix, assertObjectKey, assertPrefix } from "./safe-keys";
import { checkRange, rangeHeader } from "./byte-range";
import { InvalidRangeError, LakeError, LakeReadError, LakeWriteError, ObjectNotFoundError, UnsafeKeyError } from "./errors";

/** S3's minimum part size; parts are buffered in memory, `queueSize` at a time. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const STAGE_CONCURRENCY = 8;
/**
 * A KMS key ARN: the form the lake's bucket policy compares `s3:x-amz-server-side-encryption-aws-kms-key-id`
 * with (a key id or alias in the request would not match it).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export interface S3LakeStoreOptions {
  bucket: string;
  /**
   * ARN of the KMS key for objects under `restricted/`: every write there names it (SSE-KMS), as the lake's
   * bucket policy demands. Without it the store refuses to write under `restricted/` rather than let raw PII
   * land under the bucket's default key.
   */
  restrictedKeyArn?: string;
  /** Injected by tests and the local runtime; defaults to one client shared by every store in the process. */
  client?: S3Client;
  /** Multipart part size for streamed puts (>= 5 MiB). Default 5 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel; memory use is at most `queueSize × partSizeBytes`. Default 4. */
  queueSize?: number;
}

let sharedClient: S3Client | undefined;

/** The process-wide S3 client (created on first use, so importing this module never builds one). */
export function defaultS3Client(): S3Client {
  sharedClient ??= new S3Client({});
  return sharedClient;
}

/**
 * Builds an S3 client with this package's SDK version, so callers in other packages (and tests pointing at
 * an S3-compatible server) need not depend on `@aws-sdk/client-s3` themselves.
 *
 * @example createS3Client({ endpoint: "http://localhost:4568", forcePathStyle: true, region: "us-east-1" })
 */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client(config);
}

/**
 * A `LakeStore` over one S3 bucket.
 *
 * @example
 * const lake = new S3LakeStore({ bucket: "tributary-lake", restrictedKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" });
 * const parquet = await lake.get("bronze/backend/orders/dt=2026-01-02/hour=03/part-b1-0000.parquet");
 */
export class S3LakeStore implements LakeStore {
  readonly kind = "s3" as const;
  readonly location: string;
  private readonly bucket: string;
  private readonly restrictedKeyArn: string | undefined;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3LakeStoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new LakeError(`lake: ${JSON.stringify(options.bucket)} is not a valid S3 bucket name`);
    }
    const partSize = options.partSizeBytes ?? MIN_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw new LakeError(`lake: partSizeBytes must be a whole number >= ${MIN_PART_SIZE} (S3's minimum), got ${partSize}`);
    }
    this.bucket = options.bucket;
    this.restrictedKeyArn = options.restrictedKeyArn;
    this.location = `s3://${options.bucket}`;
    this.client = options.client ?? defaultS3Client();
    this.partSize = partSize;
    this.queueSize = options.queueSize ?? 4;
  }

  async put(key: string, body: Uint8Array | string | Readable, options: PutOptions = {}): Promise<LakeObject> {
    assertObjectKey(key);
    let versionId: string | undefined;
    try {
      // Upload hands these to PutObject or CreateMultipartUpload (the parts inherit the upload's encryption).
      const params = { Bucket: this.bucket, Key: key, ContentType: options.contentType, ...this.encryptionFor(key) };
      if (typeof body === "string" || body instanceof Uint8Array) {
        const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
        // An explicit length: the SDK cannot infer one for an empty body and would warn about an unknown-length stream.
        const out = await this.client.send(new PutObjectCommand({ ...params, Body: bytes, ContentLength: bytes.byteLength }));
        versionId = out.VersionId;
      } else {
        // Upload sends one PutObject for bodies under a part, multipart above; it aborts the upload on failure.
        const upload = new Upload({
          client: this.client,
          params: { ...params, Body: body },
          partSize: this.partSize,
          queueSize: this.queueSize,
          leavePartsOnError: false,
        });
        const out = await upload.done();
        versionId = out.VersionId;
      }
    } catch (error) {
      // A source stream the upload gave up on would otherwise keep its file or socket open.
      if (typeof body === "object" && !(body instanceof Uint8Array)) body.destroy();
      if (error instanceof LakeError) throw error;
      throw new LakeWriteError(key, describeS3Error(error), { cause: error });
    }
    // S3 answers a put with the ETag only; the head gives size and last-modified as S3 recorded them.
    const written = await this.headObject(key, versionId);
    if (!written) throw new LakeWriteError(key, "the object was not found right after it was written");
    return written;
  }

  async get(key: string): Promise<Uint8Array> {
    assertObjectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new LakeReadError(key, "S3 returned no body");
      return await out.Body.transformToByteArray();
    } catch (error) {
      throw readError(key, error);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    assertObjectKey(key);
    if (range) checkRange(key, range);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: rangeHeader(range) } : {}) }),
      );
      if (!out.Body) throw new LakeReadError(key, "S3 returned no body");
      // In Node the SDK's body is an http.IncomingMessage, i.e. a Readable.
      return out.Body as Readable;
    } catch (error) {
      if (range && (nameOf(error) === "InvalidRange" || statusOf(error) === 416)) {
        throw new InvalidRangeError(key, range, "it starts past the end of the object", { cause: error });
      }
      throw readError(key, error);
    }
  }

  async head(key: string): Promise<LakeObject | undefined> {
    assertObjectKey(key);
    return this.headObject(key);
  }

  async *list(prefix: string): AsyncIterable<LakeObject> {
    assertPrefix(prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        );
      } catch (error) {
        throw new LakeReadError(prefix, `cannot list: ${describeS3Error(error)}`, { cause: error });
      }
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield { key: o.Key, size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** S3 lists etags for free; this only leaves them out. */
  async *listKeys(prefix: string): AsyncIterable<ListedObject> {
    for await (const { key, size, lastModified } of this.list(prefix)) yield { key, size, lastModified };
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw new LakeWriteError(key, `cannot delete: ${describeS3Error(error)}`, { cause: error });
    }
  }

  /** Downloads every object under the prefix into a fresh temp directory, keeping paths relative to the prefix. */
  async stage(prefix: string): Promise<StagedPrefix> {
    assertDirectoryPrefix(prefix);
    const dir = await mkdtemp(join(tmpdir(), "tributary-stage-"));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      const pending: Promise<void>[] = [];
      const failures: unknown[] = [];
      for await (const object of this.list(prefix)) {
        const relative = object.key.slice(prefix.length);
        // "Folder" markers made by the S3 console hold no data and have no file to become.
        if (relative.endsWith("/") && object.size === 0) continue;
        const reason = unsafeKeyReason(relative) ?? (relative.endsWith("/") ? "ends with /" : undefined);
        if (reason) throw new UnsafeKeyError(object.key, `cannot stage it as a file: ${reason}`);
        const task = this.download(object.key, join(dir, ...relative.split("/"))).catch((e: unknown) => {
          failures.push(e);
        });
        pending.push(task);
        if (pending.length >= STAGE_CONCURRENCY) await pending.shift();
        if (failures.length > 0) break;
      }
      await Promise.all(pending);
      if (failures.length > 0) throw failures[0];
    } catch (error) {
      await cleanup();
      throw error;
    }
    return { dir, cleanup };
  }

  /**
   * SSE-KMS under the restricted key for keys under `restricted/`; nothing for the rest, which the bucket's
   * default encryption covers. No S3 Bucket Key for them: S3 then asks KMS per object, with the object's ARN as
   * encryption context, so CloudTrail records every read of raw PII object by object. The ARN is checked here,
   * at the first restricted write, rather than at construction: a store that never writes there needs none.
   */
  private encryptionFor(key: string) {
    if (!key.startsWith(RESTRICTED_PREFIX)) return {};
    const arn = this.restrictedKeyArn;
    if (!arn) {
      throw new LakeWriteError(key, `no KMS key is configured for ${RESTRICTED_PREFIX} (restrictedKeyArn); raw PII must not land under the bucket's default key`);
    }
    if (!KMS_KEY_ARN.test(arn)) {
      throw new LakeWriteError(key, `restrictedKeyArn ${JSON.stringify(arn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), the only form the bucket policy accepts`);
    }
    return { ServerSideEncryption: "aws:kms", SSEKMSKeyId: arn, BucketKeyEnabled: false } as const;
  }

  private async download(key: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await pipeline(await this.getStream(key), createWriteStream(path));
  }

  private async headObject(key: string, versionId?: string): Promise<LakeObject | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: unquote(out.ETag),
        lastModified: out.LastModified ?? new Date(0),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new LakeReadError(key, describeS3Error(error), { cause: error });
    }
  }
}

function readError(key: string, error: unknown): LakeError {
  if (error instanceof LakeError) return error;
  if (nameOf(error) === "NoSuchKey" || (statusOf(error) === 404 && nameOf(error) !== "NoSuchBucket")) {
    return new ObjectNotFoundError(key, { cause: error });
  }
  return new LakeReadError(key, describeS3Error(error), { cause: error });
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function describeS3Error(error: unknown): string {
  const status = statusOf(error);
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return status ? `${text} (HTTP ${status})` : text;
}
