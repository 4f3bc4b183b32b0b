import { access } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LakeError, LakeReadError, LakeWriteError, S3LakeStore } from "@tributary/core/lake";
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

/** The SSE headers of one request as it goes on the wire (after serialization), with the S3 operation it is. */
interface SentRequest {
  command: string;
  key: string;
  sse: Record<string, string>;
}

const SSE_HEADER = /^x-amz-server-side-encryption/;
const RESTRICTED_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SSE_KMS_RESTRICTED = {
  "x-amz-server-side-encryption": "aws:kms",
  "x-amz-server-side-encryption-aws-kms-key-id": RESTRICTED_KEY_ARN,
  "x-amz-server-side-encryption-bucket-key-enabled": "false",
};

describe("S3LakeStore under restricted/", () => {
  let server: RunningS3rver;
  const sent: SentRequest[] = [];
  const writes = () => sent.filter((r) => r.command !== "HeadObjectCommand");

  beforeAll(async () => {
    server = await startS3rver();
    // s3rver accepts and ignores SSE headers, so what S3 would enforce is read off the serialized requests.
    server.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers: Record<string, string>; path: string };
        const sse = Object.fromEntries(Object.entries(request.headers).filter(([name]) => SSE_HEADER.test(name.toLowerCase())));
        sent.push({ command: context.commandName ?? "?", key: decodeURIComponent(request.path.replace(/^\/[^/]+\//, "")), sse });
        return next(args);
      },
      { step: "build", name: "recordSseHeaders" },
    );
  });
  afterAll(() => server?.stop());

  it("names the restricted key (SSE-KMS, no bucket key) on every PutObject under restricted/, and no key elsewhere", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client, restrictedKeyArn: RESTRICTED_KEY_ARN });
    sent.length = 0;

    // Act
    await store.put("restricted/bronze/files/visits/a.parquet", "raw pii");
    await store.put("restricted/quarantine/files/visits/b.parquet", Readable.from([Buffer.from("small stream")]));
    await store.put("bronze/files/orders/c.parquet", "no pii");
    await store.put("restrictedish/d.txt", "not the restricted prefix");

    // Assess
    expect(writes()).toEqual([
      { command: "PutObjectCommand", key: "restricted/bronze/files/visits/a.parquet", sse: SSE_KMS_RESTRICTED },
      { command: "PutObjectCommand", key: "restricted/quarantine/files/visits/b.parquet", sse: SSE_KMS_RESTRICTED },
      { command: "PutObjectCommand", key: "bronze/files/orders/c.parquet", sse: {} },
      { command: "PutObjectCommand", key: "restrictedish/d.txt", sse: {} },
    ]);
    expect(Buffer.from(await store.get("restricted/bronze/files/visits/a.parquet")).toString()).toBe("raw pii");
  });

  it("names the restricted key when a multipart upload under restricted/ starts, and not on its parts (S3 refuses SSE headers there)", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client, restrictedKeyArn: RESTRICTED_KEY_ARN });
    const expected = Buffer.concat([...patternChunks(6)]);
    sent.length = 0;

    // Act
    const put = await store.put("restricted/bronze/files/visits/big.parquet", Readable.from(patternChunks(6)));
    await store.put("bronze/files/orders/big.parquet", Readable.from(patternChunks(6)));

    // Assess
    const restricted = writes().filter((r) => r.key.startsWith("restricted/"));
    const plain = writes().filter((r) => !r.key.startsWith("restricted/"));
    expect(restricted.map((r) => [r.command, r.sse])).toEqual([
      ["CreateMultipartUploadCommand", SSE_KMS_RESTRICTED],
      ["UploadPartCommand", {}],
      ["UploadPartCommand", {}],
      ["CompleteMultipartUploadCommand", {}],
    ]);
    expect(plain.map((r) => r.command)).toEqual(["CreateMultipartUploadCommand", "UploadPartCommand", "UploadPartCommand", "CompleteMultipartUploadCommand"]);
    expect(plain.every((r) => Object.keys(r.sse).length === 0)).toBe(true);
    expect(put.size).toBe(expected.length);
    expect(Buffer.from(await store.get("restricted/bronze/files/visits/big.parquet")).equals(expected)).toBe(true);
  });

  it("refuses to write under restricted/ without a restricted key, sending nothing and closing the stream", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client });
    const body = Readable.from([Buffer.from("raw pii")]);
    sent.length = 0;

    // Act
    const error = await store.put("restricted/bronze/files/visits/e.parquet", body).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(LakeWriteError);
    expect((error as Error).message).toBe(
      "lake: could not write restricted/bronze/files/visits/e.parquet: no KMS key is configured for restricted/ (restrictedKeyArn); raw PII must not land under the bucket's default key",
    );
    expect(sent).toEqual([]);
    expect(body.destroyed).toBe(true);
    expect(await store.head("restricted/bronze/files/visits/e.parquet")).toBeUndefined();
  });

  it("refuses a restricted key given as a key id or alias, which the bucket policy would not match", async () => {
    // Prepare
    const byId = new S3LakeStore({ bucket: server.bucket, client: server.client, restrictedKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" });
    const byAlias = new S3LakeStore({ bucket: server.bucket, client: server.client, restrictedKeyArn: "alias/tributary/prod/lake-restricted" });
    sent.length = 0;

    // Act
    const errors = await Promise.all([byId, byAlias].map((store) => store.put("restricted/bronze/x.parquet", "raw pii").catch((e: unknown) => e)));

    // Assess
    expect(errors.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/^lake: could not write restricted\/bronze\/x\.parquet: restrictedKeyArn "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key ARN/),
      expect.stringMatching(/^lake: could not write restricted\/bronze\/x\.parquet: restrictedKeyArn "alias\/tributary\/prod\/lake-restricted" is not a KMS key ARN/),
    ]);
    expect(sent).toEqual([]);
  });

  it("writes outside restricted/ without a restricted key, under the bucket's default encryption", async () => {
    // Prepare
    const store = new S3LakeStore({ bucket: server.bucket, client: server.client });
    sent.length = 0;

    // Act
    await store.put("silver/orders/v1.parquet", "tokenised");

    // Assess
    expect(writes()).toEqual([{ command: "PutObjectCommand", key: "silver/orders/v1.parquet", sse: {} }]);
  });
});
