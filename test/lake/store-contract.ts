/**
 * The `LakeStore` contract: one suite run against every adapter (filesystem and S3 over HTTP), so core code
 * can rely on the same behaviour whichever one it got.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidRangeError,
  LakeWriteError,
  ObjectNotFoundError,
  UnsafeKeyError,
  type LakeObject,
  type ListedObject,
  type LakeStore,
} from "@tributary/core/lake";

export interface ContractSubject {
  store: LakeStore;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Deterministic, non-repeating bytes: chunk i of 1 MiB is filled from a counter so misplaced parts show. */
export function* patternChunks(totalMiB: number): Generator<Buffer> {
  for (let i = 0; i < totalMiB; i++) {
    const chunk = Buffer.alloc(MiB);
    for (let j = 0; j < MiB; j += 4) chunk.writeUInt32LE((i * MiB + j) >>> 0, j);
    yield chunk;
  }
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function listAll(store: LakeStore, prefix: string): Promise<LakeObject[]> {
  const out: LakeObject[] = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const UNSAFE_KEYS = ["", "/abs/key", "a/../b", "../escape", "a//b", "./a", "a\\b", "a/\u0000b", "folder/"];

export function describeLakeStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`${name} honours the LakeStore contract`, () => {
    let subject: ContractSubject;
    let store: LakeStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    it("reads back exactly what was put, for bytes and for text", async () => {
      // Prepare
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);

      // Act
      await store.put("rw/bytes.bin", bytes);
      await store.put("rw/text.txt", "héllo, lake ✓");

      // Assess
      expect(Buffer.from(await store.get("rw/bytes.bin"))).toEqual(Buffer.from(bytes));
      expect(Buffer.from(await store.get("rw/text.txt")).toString("utf8")).toBe("héllo, lake ✓");
    });

    it("reports the stored object from put the same way head and list do", async () => {
      // Act
      const put = await store.put("meta/object.txt", "twelve bytes");
      const head = await store.head("meta/object.txt");
      const [listed] = await listAll(store, "meta/");

      // Assess
      expect(put).toMatchObject({ key: "meta/object.txt", size: 12 });
      expect(put.etag).toMatch(/^[0-9a-f-]+$/);
      expect(head).toMatchObject({ key: put.key, size: put.size, etag: put.etag });
      expect(head!.lastModified.getTime()).toBe(put.lastModified.getTime());
      expect(listed).toMatchObject({ key: put.key, size: put.size, etag: put.etag });
    });

    it("overwrites an existing key with the new content and a new etag", async () => {
      // Prepare
      const first = await store.put("over/k.txt", "first version");

      // Act
      const second = await store.put("over/k.txt", "second, longer version");

      // Assess
      expect(Buffer.from(await store.get("over/k.txt")).toString()).toBe("second, longer version");
      expect(second.etag).not.toBe(first.etag);
      expect((await listAll(store, "over/")).map((o) => o.key)).toEqual(["over/k.txt"]);
    });

    it("stores a 12 MiB stream byte for byte", async () => {
      // Prepare
      const expected = Buffer.concat([...patternChunks(12)]);

      // Act
      const put = await store.put("stream/big.bin", Readable.from(patternChunks(12)));

      // Assess
      expect(put.size).toBe(12 * MiB);
      expect(sha256(await store.get("stream/big.bin"))).toBe(sha256(expected));
      expect(sha256(await readAll(await store.getStream("stream/big.bin")))).toBe(sha256(expected));
    });

    it("keeps the previous object when a streamed put fails part way", async () => {
      // Prepare
      await store.put("failing/k.txt", "the old content");
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from("partial new content");
          throw new Error("source connection reset");
        })(),
      );

      // Act
      const attempt = store.put("failing/k.txt", failing);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(LakeWriteError);
      expect(Buffer.from(await store.get("failing/k.txt")).toString()).toBe("the old content");
      expect((await listAll(store, "failing/")).map((o) => o.key)).toEqual(["failing/k.txt"]);
    });

    it("serves byte ranges with HTTP semantics (inclusive end, open end, end clamped to the size)", async () => {
      // Prepare
      await store.put("range/digits.txt", "0123456789");

      // Act
      const middle = await readAll(await store.getStream("range/digits.txt", { start: 2, end: 5 }));
      const tail = await readAll(await store.getStream("range/digits.txt", { start: 7 }));
      const clamped = await readAll(await store.getStream("range/digits.txt", { start: 8, end: 100 }));
      // Not bytes=0-0: s3rver answers that with the whole object (real S3 and the filesystem serve one byte).
      const single = await readAll(await store.getStream("range/digits.txt", { start: 4, end: 4 }));

      // Assess
      expect(middle.toString()).toBe("2345");
      expect(tail.toString()).toBe("789");
      expect(clamped.toString()).toBe("89");
      expect(single.toString()).toBe("4");
    });

    it("refuses ranges that start past the end or run backwards", async () => {
      // Prepare
      await store.put("range/short.txt", "abc");

      // Act + Assess
      await expect(store.getStream("range/short.txt", { start: 3 })).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getStream("range/short.txt", { start: 2, end: 1 })).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getStream("range/short.txt", { start: -1 })).rejects.toBeInstanceOf(InvalidRangeError);
    });

    it("says clearly when an object is missing", async () => {
      // Act
      const get = await store.get("missing/nothing.txt").catch((e: unknown) => e);
      const stream = await store.getStream("missing/nothing.txt").catch((e: unknown) => e);
      const head = await store.head("missing/nothing.txt");

      // Assess
      expect(get).toBeInstanceOf(ObjectNotFoundError);
      expect((get as Error).message).toBe("lake: no object at missing/nothing.txt");
      expect(stream).toBeInstanceOf(ObjectNotFoundError);
      expect(head).toBeUndefined();
    });

    it("lists every object under a prefix, recursively, in key order", async () => {
      // Prepare: written out of order, with one key beside the prefix that must not show up.
      const keys = ["ls/é.txt", "ls/b.txt", "ls/z/y/x.txt", "ls/a/2.txt", "ls/Z.txt", "ls/a/1.txt", "lsx.txt"];
      for (const key of keys) await store.put(key, key);

      // Act
      const all = (await listAll(store, "ls/")).map((o) => o.key);
      const partial = (await listAll(store, "ls/a")).map((o) => o.key);
      const loose = (await listAll(store, "ls")).map((o) => o.key);
      const none = await listAll(store, "ls-nothing/");

      // Assess
      expect(all).toEqual(["ls/Z.txt", "ls/a/1.txt", "ls/a/2.txt", "ls/b.txt", "ls/z/y/x.txt", "ls/é.txt"]);
      expect(partial).toEqual(["ls/a/1.txt", "ls/a/2.txt"]);
      expect(loose).toEqual([...all, "lsx.txt"]);
      expect(none).toEqual([]);
    });

    it("lists keys without etags exactly as list names them (same keys, sizes and times, same order)", async () => {
      // Prepare
      for (const key of ["lk/b.txt", "lk/a/1.txt", "lk/c.txt"]) await store.put(key, `body of ${key}`);

      // Act
      const listed = await listAll(store, "lk/");
      const keys: ListedObject[] = [];
      for await (const o of store.listKeys("lk/")) keys.push(o);

      // Assess
      expect(keys.map((o) => Object.keys(o).sort())).toEqual(listed.map(() => ["key", "lastModified", "size"]));
      expect(keys).toEqual(listed.map(({ key, size, lastModified }) => ({ key, size, lastModified })));
      expect(keys.map((o) => o.key)).toEqual(["lk/a/1.txt", "lk/b.txt", "lk/c.txt"]);
    });

    it("deletes objects, and deleting a missing key is not an error", async () => {
      // Prepare
      await store.put("del/k.txt", "bye");

      // Act
      await store.delete("del/k.txt");
      await store.delete("del/never-existed.txt");

      // Assess
      expect(await store.head("del/k.txt")).toBeUndefined();
      await expect(store.get("del/k.txt")).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await listAll(store, "del/")).toEqual([]);
    });

    it.each(UNSAFE_KEYS)("refuses the unsafe key %j in every operation", async (key) => {
      // Act + Assess
      await expect(store.put(key, "x")).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.getStream(key)).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.head(key)).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(UnsafeKeyError);
    });

    it("refuses unsafe listing and staging prefixes", async () => {
      // Act + Assess
      await expect(listAll(store, "../")).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(listAll(store, "a//")).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.stage("../")).rejects.toBeInstanceOf(UnsafeKeyError);
      await expect(store.stage("stage-no-slash")).rejects.toThrow(/must be empty or end with \//);
    });

    it("stages a prefix as local files keeping paths relative to it", async () => {
      // Prepare
      await store.put("stg/a.txt", "A");
      await store.put("stg/d/e/b.txt", "B");
      await store.put("stgx.txt", "not under stg/");

      // Act
      const staged = await store.stage("stg/");
      const files = await filesUnder(staged.dir);
      const a = await readFile(join(staged.dir, "a.txt"), "utf8");
      const b = await readFile(join(staged.dir, "d", "e", "b.txt"), "utf8");
      await staged.cleanup();

      // Assess
      expect(files).toEqual(["a.txt", join("d", "e", "b.txt")]);
      expect([a, b]).toEqual(["A", "B"]);
      expect(Buffer.from(await store.get("stg/a.txt")).toString()).toBe("A");
    });
  });
}
