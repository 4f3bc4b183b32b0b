/**
 * `FileSystemLakeStore`: the lake as a directory holding the same keys as the bucket (`<root>/bronze/…`).
 * Used by the embedded local mode; DuckDB reads the Parquet files in place.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import type { ByteRange, LakeObject, LakeStore, ListedObject, PutOptions, StagedPrefix } from "./store";
import { assertDirectoryPrefix, assertObjectKey, assertPrefix, compareKeys } from "./safe-keys";
import { LakeError, LakeReadError, LakeWriteError, ObjectNotFoundError, UnsafeKeyError } from "./errors";
import { checkRange } from "./byte-range";
import { EtagCache } from "./etag-cache";

/** Suffix of in-progress writes. `list` skips them, and it keeps them out of `*.parquet` globs over staged dirs. */
export const TEMP_SUFFIX = ".tributary-tmp";

const MISSING = new Set(["ENOENT", "ENOTDIR"]);

/**
 * A `LakeStore` over a local directory. Writes are atomic (temp file in the target directory, fsync, rename);
 * the etag is the md5 hex of the content, like an S3 ETag of a single-part upload without KMS.
 *
 * Unlike a bucket, a directory cannot hold both an object `a` and objects under `a/`: such a put fails with
 * `LakeWriteError`. Content types are not stored.
 *
 * @example
 * const lake = new FileSystemLakeStore("/home/me/.tributary/lake");
 * await lake.put("landing/lab_results/2026-01-02.csv", "kit_barcode,test_code\n");
 * for await (const o of lake.list("landing/")) console.log(o.key, o.size);
 */
export class FileSystemLakeStore implements LakeStore {
  readonly kind = "filesystem" as const;
  readonly location: string;
  private readonly etags = new EtagCache();

  constructor(root: string) {
    this.location = resolve(root);
  }

  async put(key: string, body: Uint8Array | string | Readable, _options?: PutOptions): Promise<LakeObject> {
    const target = this.objectPath(key);
    const dir = dirname(target);
    // Same directory as the target, so the rename never crosses filesystems and is atomic.
    const temp = join(dir, `.${basename(target).slice(0, 100)}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
    let handle: FileHandle | undefined;
    try {
      await mkdir(dir, { recursive: true });
      handle = await open(temp, "wx");
      const hash = createHash("md5");
      for await (const chunk of chunksOf(body)) {
        hash.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, target);
      await syncDirectory(dir);
      const info = await stat(target);
      const etag = hash.digest("hex");
      this.etags.remember(target, info, etag);
      return toLakeObject(key, info, etag);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      // A source stream the write gave up on would otherwise keep its file or socket open.
      if (typeof body === "object" && !(body instanceof Uint8Array)) body.destroy();
      if (error instanceof LakeError) throw error;
      throw new LakeWriteError(key, describeFsError(error), { cause: error });
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.objectPath(key);
    try {
      const bytes = await readFile(path);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.objectPath(key);
    let handle: FileHandle | undefined;
    try {
      // Stat the open handle, not the path, so the range is checked against the very file that is read.
      handle = await open(path, "r");
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      if (!range) return handle.createReadStream();
      const { start, end } = checkRange(key, range, info.size);
      return handle.createReadStream({ start, end });
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw this.readError(key, error);
    }
  }

  async head(key: string): Promise<LakeObject | undefined> {
    const path = this.objectPath(key);
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      if (MISSING.has(codeOf(error))) return undefined;
      throw this.readError(key, error);
    }
    if (!info.isFile()) return undefined;
    return toLakeObject(key, info, await this.etagOf(key, path, info));
  }

  async *list(prefix: string): AsyncIterable<LakeObject> {
    yield* this.walkPrefix(prefix, async (key, path, info) => toLakeObject(key, info, await this.etagOf(key, path, info)));
  }

  /** `list` without hashing each file for its etag. */
  async *listKeys(prefix: string): AsyncIterable<ListedObject> {
    yield* this.walkPrefix(prefix, async (key, _path, info) => ({ key, size: info.size, lastModified: info.mtime }));
  }

  async delete(key: string): Promise<void> {
    const path = this.objectPath(key);
    try {
      await unlink(path);
    } catch (error) {
      // Like S3, deleting a key that holds no object is not an error (a directory is not an object either).
      if (MISSING.has(codeOf(error)) || codeOf(error) === "EISDIR" || codeOf(error) === "EPERM") return;
      throw new LakeWriteError(key, describeFsError(error), { cause: error });
    }
    this.etags.forget(path);
  }

  /** The real directory of the prefix: nothing is copied. Created when missing so the caller can always glob it. */
  async stage(prefix: string): Promise<StagedPrefix> {
    assertDirectoryPrefix(prefix);
    const dir = join(this.location, ...prefix.split("/").filter(Boolean));
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new LakeReadError(prefix, `cannot stage: ${describeFsError(error)}`, { cause: error });
    }
    return { dir, cleanup: async () => undefined };
  }

  private async *walkPrefix<T>(prefix: string, describe: (key: string, path: string, info: Stats) => Promise<T>): AsyncGenerator<T> {
    assertPrefix(prefix);
    const slash = prefix.lastIndexOf("/");
    yield* this.walk(prefix.slice(0, slash + 1), prefix.slice(slash + 1), describe);
  }

  /**
   * Walks one directory in key order. Visiting entries sorted by UTF-8 bytes, with directories compared as
   * `name/`, yields keys in exactly S3's order without collecting the whole tree first.
   */
  private async *walk<T>(dirKey: string, namePrefix: string, describe: (key: string, path: string, info: Stats) => Promise<T>): AsyncGenerator<T> {
    const dir = join(this.location, ...dirKey.split("/").filter(Boolean));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (MISSING.has(codeOf(error))) return;
      throw new LakeReadError(dirKey, `cannot list: ${describeFsError(error)}`, { cause: error });
    }
    const visible: { name: string; sortName: string; isDir: boolean }[] = [];
    for (const entry of entries) {
      if (!entry.name.startsWith(namePrefix) || entry.name.endsWith(TEMP_SUFFIX)) continue;
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) isDir = (await stat(join(dir, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
      visible.push({ name: entry.name, sortName: isDir ? `${entry.name}/` : entry.name, isDir });
    }
    visible.sort((a, b) => compareKeys(a.sortName, b.sortName));
    for (const entry of visible) {
      const key = `${dirKey}${entry.name}`;
      if (entry.isDir) {
        yield* this.walk(`${key}/`, "", describe);
        continue;
      }
      const path = join(dir, entry.name);
      const info = await stat(path).catch((error: unknown) => {
        if (MISSING.has(codeOf(error))) return undefined; // deleted while listing
        throw new LakeReadError(key, describeFsError(error), { cause: error });
      });
      if (info?.isFile()) yield await describe(key, path, info);
    }
  }

  private objectPath(key: string): string {
    assertObjectKey(key);
    if (key.endsWith(TEMP_SUFFIX)) throw new UnsafeKeyError(key, `keys ending in ${TEMP_SUFFIX} are reserved for in-progress writes`);
    return join(this.location, ...key.split("/"));
  }

  private async etagOf(key: string, path: string, info: Stats): Promise<string> {
    try {
      return await this.etags.etagOf(path, info);
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  private readError(key: string, error: unknown): LakeError {
    if (error instanceof LakeError) return error;
    const code = codeOf(error);
    if (MISSING.has(code) || code === "EISDIR") return new ObjectNotFoundError(key, { cause: error });
    return new LakeReadError(key, describeFsError(error), { cause: error });
  }
}

async function* chunksOf(body: Uint8Array | string | Readable): AsyncGenerator<Uint8Array> {
  if (typeof body === "string") {
    yield Buffer.from(body, "utf8");
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  for await (const chunk of body as AsyncIterable<unknown>) {
    if (typeof chunk === "string") yield Buffer.from(chunk, "utf8");
    else if (chunk instanceof Uint8Array) yield chunk;
    else throw new TypeError(`stream chunks must be bytes or strings, got ${typeof chunk}`);
  }
}

/** Makes the rename itself durable. Directories cannot be opened for fsync on every platform (Windows), hence best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function toLakeObject(key: string, info: Stats, etag: string): LakeObject {
  return { key, size: info.size, etag, lastModified: info.mtime };
}

function codeOf(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : "";
}

function describeFsError(error: unknown): string {
  const code = codeOf(error);
  if (code === "ENOTDIR" || code === "EEXIST") return "a parent segment of the key is an object, not a directory";
  if (code === "EISDIR" || code === "ENOTEMPTY") return "other objects live under this key followed by /";
  return error instanceof Error ? error.message : String(error);
}
