import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSystemLakeStore, InvalidRangeError, LakeWriteError, TEMP_SUFFIX, UnsafeKeyError } from "@tributary/core/lake";
import { describeLakeStoreContract, listAll, patternChunks } from "./store-contract";

const md5 = (data: Uint8Array | string) => createHash("md5").update(data).digest("hex");
const newRoot = () => mkdtemp(join(tmpdir(), "tributary-fs-lake-"));

describeLakeStoreContract("FileSystemLakeStore", async () => {
  const root = await newRoot();
  return { store: new FileSystemLakeStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe("FileSystemLakeStore", () => {
  let root: string;
  let store: FileSystemLakeStore;
  beforeEach(async () => {
    root = await newRoot();
    store = new FileSystemLakeStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("uses the md5 hex of the content as etag, for bytes and streams alike", async () => {
    // Prepare
    const streamed = Buffer.concat([...patternChunks(2)]);

    // Act
    const text = await store.put("e/text.txt", "hello");
    const stream = await store.put("e/stream.bin", Readable.from(patternChunks(2)));

    // Assess
    expect(text.etag).toBe(md5("hello"));
    expect(stream.etag).toBe(md5(streamed));
    expect((await store.head("e/stream.bin"))?.etag).toBe(md5(streamed));
  });

  it("keeps keys under its root, with the same paths as the bucket keys", async () => {
    // Act
    await store.put("bronze/backend/orders/dt=2026-01-02/hour=03/part-b1-0000.parquet", "x");

    // Assess
    expect(await readdir(join(root, "bronze", "backend", "orders", "dt=2026-01-02", "hour=03"))).toEqual(["part-b1-0000.parquet"]);
    expect(store.location).toBe(root);
  });

  it("lists in S3's order, by UTF-8 bytes, even where a plain string sort or a tree walk would differ", async () => {
    // Prepare: "-" sorts before "/", and U+E000 before an astral emoji in UTF-8 (not in UTF-16).
    for (const key of ["o/x/1.txt", "o/x-y.txt", "o/😀.txt", "o/\uE000.txt", "o/x0.txt"]) await store.put(key, key);

    // Act
    const keys = (await listAll(store, "o/")).map((o) => o.key);

    // Assess
    expect(keys).toEqual(["o/x-y.txt", "o/x/1.txt", "o/x0.txt", "o/\uE000.txt", "o/😀.txt"]);
  });

  it("ignores the temp files of interrupted writes and refuses keys that look like them", async () => {
    // Prepare: what a crash between write and rename leaves behind.
    await store.put("t/real.txt", "real");
    await writeFile(join(root, "t", `.real.txt.abc123${TEMP_SUFFIX}`), "half written");

    // Act
    const keys = (await listAll(store, "t/")).map((o) => o.key);

    // Assess
    expect(keys).toEqual(["t/real.txt"]);
    await expect(store.put(`t/x${TEMP_SUFFIX}`, "x")).rejects.toBeInstanceOf(UnsafeKeyError);
  });

  it("leaves no temp file behind after a successful or a failed write", async () => {
    // Prepare
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from("some");
        throw new Error("boom");
      })(),
    );

    // Act
    await store.put("clean/ok.txt", "ok");
    await expect(store.put("clean/bad.txt", failing)).rejects.toBeInstanceOf(LakeWriteError);

    // Assess
    expect(await readdir(join(root, "clean"))).toEqual(["ok.txt"]);
  });

  it("recomputes the etag when a file is changed outside the store", async () => {
    // Prepare
    await store.put("ext/f.txt", "before");
    await store.head("ext/f.txt");

    // Act
    await writeFile(join(root, "ext", "f.txt"), "after, and longer");
    const head = await store.head("ext/f.txt");

    // Assess
    expect(head?.etag).toBe(md5("after, and longer"));
  });

  it("stages the real directory without copying, creating it when the prefix is still empty", async () => {
    // Act
    const staged = await store.stage("bronze/files/visits/");
    await staged.cleanup();

    // Assess
    expect(staged.dir).toBe(join(root, "bronze", "files", "visits"));
    expect(await readdir(staged.dir)).toEqual([]);
  });

  it("explains a put whose parent segment is already an object", async () => {
    // Prepare
    await store.put("p/file", "an object");

    // Act
    const attempt = store.put("p/file/child", "x");

    // Assess
    await expect(attempt).rejects.toThrow(/lake: could not write p\/file\/child: a parent segment of the key is an object/);
  });

  it("refuses any range on an empty object, as S3 does", async () => {
    // Prepare
    await store.put("r/empty.txt", "");

    // Act + Assess
    await expect(store.getStream("r/empty.txt", { start: 0 })).rejects.toBeInstanceOf(InvalidRangeError);
    expect(Buffer.from(await store.get("r/empty.txt")).length).toBe(0);
  });
});
