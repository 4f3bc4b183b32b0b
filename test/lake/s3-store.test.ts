import { access } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LakeError, LakeReadError, S3LakeStore } from "@tributary/core/lake";
import { startS3rver, type RunningS3rver } from "./s3rver-harness";
import { describeLakeStoreContract, listAll, patternChunks } from "./store-contract";

describeLakeStoreContract("S3LakeStore (s3rver over HTTP)", async () => {
  const server = await startS3rver();
  return { store: new S3LakeStore({ bucket: server.bucket, client: server.client }), cleanup: server.stop };
});

describe("S3LakeStore", () => {
  let server: RunningS3rver;
  const commands: string[] = [];

  beforeAll(async () => {
    server = await startS3rver();
    // Records which S3 operations the adapter sends, to see multipart happen on the wire.
    server.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? "?");
        return next(args);
      },
      { step: "initialize", name: "recordCommands" },
    );
  });
  afterAll(() => server?.stop());

  it("uploads a stream larger than a part as a multipart upload of 5 MiB parts", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client, partSizeBytes: 5 * 1024 * 1024 });
    commands.length = 0;

    // Act
    const put = await store.put("multipart/12mib.bin", Readable.from(patternChunks(12)));

    // Assess
    expect(put.size).toBe(12 * 1024 * 1024);
    expect(commands.filter((c) => c === "CreateMultipartUploadCommand")).toHaveLength(1);
    expect(commands.filter((c) => c === "UploadPartCommand")).toHaveLength(3);
    expect(commands.filter((c) => c === "CompleteMultipartUploadCommand")).toHaveLength(1);
  });

  it("sends bodies already in memory as a single PutObject", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client });
    commands.length = 0;

    // Act
    await store.put("single/small.txt", "small");
    await store.put("single/empty.txt", "");

    // Assess
    expect(commands.filter((c) => c.endsWith("MultipartUploadCommand") || c === "UploadPartCommand")).toEqual([]);
    expect(commands.filter((c) => c === "PutObjectCommand")).toHaveLength(2);
    expect((await store.head("single/empty.txt"))?.size).toBe(0);
  });

  it("removes the staged copy on cleanup, leaving the bucket as it was", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client });
    await store.put("stage-cleanup/a.txt", "A");

    // Act
    const staged = await store.stage("stage-cleanup/");
    await staged.cleanup();

    // Assess
    await expect(access(staged.dir)).rejects.toThrow(/ENOENT/);
    expect((await listAll(store, "stage-cleanup/")).map((o) => o.key)).toEqual(["stage-cleanup/a.txt"]);
  });

  it("reports a missing bucket as a read error, not as a missing object", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: "no-such-bucket", client: server.client });

    // Act
    const error = await store.get("k.txt").catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(LakeReadError);
    expect((error as Error).message).toMatch(/^lake: could not read k\.txt: NoSuchBucket/);
  });

  it("follows continuation tokens until the listing is complete", async () => {
    // Prepare: s3rver cannot produce continuation tokens on OpenSSL 3 (it ciphers them with DES),
    // so the paging is exercised against a client that serves two fixed pages.
    const pages: Record<string, { Contents: { Key: string; Size: number; ETag: string }[]; IsTruncated: boolean; NextContinuationToken?: string }> = {
      first: { Contents: [{ Key: "p/1", Size: 1, ETag: '"a"' }, { Key: "p/2", Size: 2, ETag: '"b"' }], IsTruncated: true, NextContinuationToken: "t1" },
      t1: { Contents: [{ Key: "p/3", Size: 3, ETag: '"c"' }], IsTruncated: false },
    };
    const client = {
      send: async (command: { input: { ContinuationToken?: string; Prefix?: string } }) => pages[command.input.ContinuationToken ?? "first"],
    };
    const store = new S3LakeStore({ bucket: "paged", client: client as unknown as ConstructorParameters<typeof S3LakeStore>[0]["client"] });

    // Act
    const listed = await listAll(store, "p/");

    // Assess
    expect(listed.map((o) => [o.key, o.size, o.etag])).toEqual([
      ["p/1", 1, "a"],
      ["p/2", 2, "b"],
      ["p/3", 3, "c"],
    ]);
  });

  it("refuses an invalid bucket name or a part size below S3's minimum", () => {
    // Act + Assess
    expect(() => new S3LakeStore({ bucket: "Bad_Bucket", client: server.client })).toThrow(LakeError);
    expect(() => new S3LakeStore({ bucket: "lake", client: server.client, partSizeBytes: 1024 })).toThrow(/partSizeBytes must be/);
  });
});
