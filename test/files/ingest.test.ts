/**
 * File ingestion through the core entry points, on a real local platform (dynalite ledger, filesystem lake).
 * The ugly-file corpus is in ingest-corpus.test.ts; here: idempotence, chunking, the manifest and its event,
 * limits, progress, and refusals.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FileLimitsSchema, type ConfigInput } from "@tributary/core/config";
import {
  FILE_INGESTED,
  FileTooLargeError,
  ingestFile,
  ingestNotification,
  ledgerStatus,
  MANIFEST_PREFIX,
  PROGRESS_EVERY_BYTES,
  REJECTED_PREFIX,
  UnreadableFileError,
  type FileManifest,
  type IngestProgress,
} from "@tributary/core/files";
import { objectCreatedEvent, type LocalBusEvent } from "@tributary/core/local";
import { BUS_NAME } from "@tributary/core/wiring";
import shipped from "../../tributary.config";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const header = "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id";
const row = (i: number) => `KIT-${i},VITD,${i},normal,2026-10-01T08:00:00Z,2026-10-0${1 + (i % 9)}T09:00:00Z,lab-1`;
const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

const config = {
  ...shipped,
  feeds: [
    ...(shipped.feeds ?? []),
    {
      name: "readings_parquet",
      format: { type: "parquet" },
      columns: { reading_id: { type: "bigint", nullable: false }, note: "string" },
    },
  ],
} as ConfigInput;

describe("ingestFile", () => {
  let platform: TestPlatform;
  let scratch: string;
  const announced: LocalBusEvent[] = [];
  beforeAll(async () => {
    // These tests drive ingestion directly: the landing scanner must not race them.
    platform = await startTestPlatform({ config, landingScanMs: 3_600_000 });
    // Parsed configs share the default settings objects: give this platform its own before tests change them.
    platform.config.settings.bronze = { ...platform.config.settings.bronze };
    platform.config.settings.files = FileLimitsSchema.parse({});
    platform.bus.addRule({
      name: "test-file-ingested",
      bus: BUS_NAME,
      pattern: { source: ["tributary"], "detail-type": [FILE_INGESTED] },
      target: async (event) => void announced.push(event),
    });
    scratch = await mkdtemp(join(tmpdir(), "tributary-ingest-"));
  });
  afterAll(async () => {
    await platform?.dispose();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  afterEach(() => {
    const { settings } = platform.config;
    settings.bronze = { ...settings.bronze, maxRowsPerFile: 250_000 };
    settings.files = FileLimitsSchema.parse({});
  });

  const rejectedRecords = async () => {
    const records: { key: string; error: string; reason: string }[] = [];
    for await (const o of platform.ports.lake.list(REJECTED_PREFIX)) records.push(JSON.parse(Buffer.from(await platform.ports.lake.get(o.key)).toString("utf8")));
    return records;
  };
  const countIn = async (table: string, key: string) => {
    const column = table.startsWith("bronze.") ? "_file" : "regexp_replace(_origin, ':[0-9]+$', '')";
    const [found] = await platform.query(`SELECT count(*) AS n FROM ${table} WHERE ${column} = '${key}'`);
    return Number(found!.n);
  };

  it("treats the same file version delivered twice as a no-op", async () => {
    // Prepare
    const object = await platform.ports.lake.put("landing/lab_results/direct/twice.csv", [header, row(1), row(2)].join("\n"));

    // Act
    const first = await ingestFile(platform.ports, object);
    const second = await ingestFile(platform.ports, object);

    // Assess
    expect(first).toMatchObject({ status: "ingested", rowsRead: 2, rowsLanded: 2, rowsQuarantined: 0 });
    expect(second).toMatchObject({ status: "already-ingested", rowsRead: 0, bytes: 0, sha256: null });
    expect(await platform.ports.lake.head(`manifests/files/lab_results/${first.batchId}.json`)).toBeDefined();
    expect(await countIn("bronze.lab_results", object.key)).toBe(2);
  });

  it("writes a manifest with the bytes read and their SHA-256, and announces it as file.ingested", async () => {
    // Prepare: gzip, so the checksum is visibly of the stored bytes, not the decompressed text
    const bytes = gzipSync([header, row(1), "KIT-2,VITD", row(3)].join("\n"));
    const object = await platform.ports.lake.put("landing/lab_results/direct/manifest.csv.gz", bytes);

    // Act
    const manifest = await ingestFile(platform.ports, object);

    // Assess
    const manifestKey = `${MANIFEST_PREFIX}lab_results/${manifest.batchId}.json`;
    const stored = JSON.parse(Buffer.from(await platform.ports.lake.get(manifestKey)).toString("utf8")) as FileManifest;
    expect(stored).toEqual(manifest);
    expect(manifest).toMatchObject({
      key: object.key,
      etag: object.etag,
      feed: "lab_results",
      format: "csv",
      gzip: true,
      bytes: bytes.length,
      sha256: sha256(bytes),
      rowsRead: 3,
      rowsLanded: 2,
      rowsQuarantined: 1,
    });
    expect(manifest.files.length).toBeGreaterThan(0);
    expect(manifest.quarantineFiles).toHaveLength(1);
    expect(manifest.timings.totalMs).toBe(manifest.timings.readMs + manifest.timings.closeMs);
    await expect.poll(() => announced.filter((e) => e.detail.key === object.key).length).toBe(1);
    const event = announced.find((e) => e.detail.key === object.key)!;
    expect(event).toMatchObject({ source: "tributary", "detail-type": "file.ingested" });
    expect(event.detail).toEqual({ ...manifest, manifestKey });
    expect(await ledgerStatus(platform.ports, object.key, object.etag)).toBe("done");
  });

  it("chunks a large file into bounded Parquet files whose names derive from the file version", async () => {
    // Prepare: 2,500 rows over 9 partitions, with a small file size
    platform.config.settings.bronze.maxRowsPerFile = 400;
    const lines = [header, ...Array.from({ length: 2500 }, (_, i) => row(i))];
    const object = await platform.ports.lake.put("landing/lab_results/direct/large.csv.gz", gzipSync(lines.join("\n")));

    // Act
    const manifest = await ingestFile(platform.ports, object);

    // Assess
    expect(manifest).toMatchObject({ gzip: true, rowsRead: 2500, rowsLanded: 2500, rowsQuarantined: 0 });
    expect(manifest.files.length).toBeGreaterThanOrEqual(9);
    expect(manifest.files.every((k) => k.startsWith("restricted/bronze/files/lab_results/dt=2026-10-0") && k.includes(`part-${manifest.batchId}-`))).toBe(true);
  });

  it("reports progress about once per MiB read, ending with the whole file", async () => {
    // Prepare: ~3.3 MB of rows, stored uncompressed so bytes read grow with rows
    const text = [header, ...Array.from({ length: 40_000 }, (_, i) => row(i))].join("\n");
    const object = await platform.ports.lake.put("landing/lab_results/direct/progress.csv", text);
    const reports: IngestProgress[] = [];

    // Act
    const manifest = await ingestFile(platform.ports, object, (p) => reports.push(p));

    // Assess
    const size = Buffer.byteLength(text);
    expect(reports.length).toBeGreaterThanOrEqual(Math.floor(size / PROGRESS_EVERY_BYTES));
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(size / PROGRESS_EVERY_BYTES) + 1);
    expect(reports.at(-1)).toEqual({ rows: 40_000, bytes: size, totalBytes: size });
    expect(reports.every((p, i) => i === 0 || (p.bytes >= reports[i - 1]!.bytes && p.rows >= reports[i - 1]!.rows))).toBe(true);
    expect(manifest.rowsRead).toBe(40_000);
  });

  it("leaves nothing behind when a file turns out unreadable (truncated gzip)", async () => {
    // Prepare
    platform.config.settings.bronze.maxRowsPerFile = 100;
    const whole = gzipSync([header, ...Array.from({ length: 3000 }, (_, i) => row(i))].join("\n"));
    const object = await platform.ports.lake.put("landing/lab_results/direct/truncated.csv.gz", whole.subarray(0, Math.floor(whole.length * 0.8)));

    // Act
    const attempt = ingestFile(platform.ports, object);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnreadableFileError);
    await expect(attempt).rejects.toThrow(/files: cannot read landing\/lab_results\/direct\/truncated.csv.gz: unexpected end of file/);
    expect(await countIn("bronze.lab_results", object.key)).toBe(0);
    // Left in_progress: the message is retried, then waits in the DLQ
    expect(await ledgerStatus(platform.ports, object.key, object.etag)).toBe("in_progress");
  });

  it("refuses a file larger than maxBytesPerInvocation before reading it, recording why, without a retry", async () => {
    // Prepare
    platform.config.settings.files.maxBytesPerInvocation = 64;
    const object = await platform.ports.lake.put("landing/lab_results/direct/too-large.csv", [header, row(1)].join("\n"));

    // Act
    const outcome = await ingestNotification(platform.ports, JSON.stringify(objectCreatedEvent("bucket", object)));
    const direct = ingestFile(platform.ports, object);

    // Assess
    expect(outcome).toEqual({
      outcome: "rejected",
      key: object.key,
      reason: expect.stringContaining(`${object.size} bytes exceeds settings.files.maxBytesPerInvocation, 64 bytes`),
    });
    await expect(direct).rejects.toBeInstanceOf(FileTooLargeError);
    await expect(direct).rejects.toThrow(`files: "${object.key}" is too large for one invocation: ${object.size} bytes`);
    expect((await rejectedRecords()).filter((r) => r.key === object.key)).toEqual([
      { key: object.key, error: "FileTooLargeError", reason: expect.stringContaining("settings.files.maxBytesPerInvocation"), rejectedAt: expect.any(String), event: expect.any(Object) },
    ]);
    expect(await ledgerStatus(platform.ports, object.key, object.etag)).toBeUndefined();
    expect(await countIn("bronze.lab_results", object.key)).toBe(0);
  });

  it("refuses a gzip file whose content outgrows maxBytesPerInvocation while it is read, removing what had landed", async () => {
    // Prepare: ~250 KB of rows that gzip to far less than the limit
    platform.config.settings.bronze.maxRowsPerFile = 100;
    const text = [header, ...Array.from({ length: 3000 }, (_, i) => row(i))].join("\n");
    const bytes = gzipSync(text);
    platform.config.settings.files.maxBytesPerInvocation = 100_000;
    expect(bytes.length).toBeLessThan(100_000);
    const object = await platform.ports.lake.put("landing/lab_results/direct/bomb.csv.gz", bytes);

    // Act
    const outcome = await ingestNotification(platform.ports, JSON.stringify(objectCreatedEvent("bucket", object)));

    // Assess
    expect(outcome).toEqual({
      outcome: "rejected",
      key: object.key,
      reason: expect.stringContaining("it decompresses to more than settings.files.maxBytesPerInvocation, 100000 bytes (97.7 KiB)"),
    });
    expect(await countIn("bronze.lab_results", object.key)).toBe(0);
  });

  it("refuses Parquet larger than maxSpoolBytes, also when only its decompressed size is", async () => {
    // Prepare: an uncompressed, very repetitive Parquet file, gzipped — small stored, large once spooled
    const parquetPath = join(scratch, "spool.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    await connection.run(
      `COPY (SELECT i::BIGINT AS reading_id, repeat('x', 200) AS note FROM range(2000) t(i)) TO '${parquetPath}' (FORMAT PARQUET, COMPRESSION 'uncompressed')`,
    );
    connection.closeSync();
    db.closeSync();
    const parquet = await readFile(parquetPath);
    const gzipped = gzipSync(parquet);
    platform.config.settings.files.maxSpoolBytes = Math.floor(parquet.length / 2);
    expect(gzipped.length).toBeLessThan(platform.config.settings.files.maxSpoolBytes);
    const plain = await platform.ports.lake.put("landing/readings_parquet/plain.parquet", parquet);
    const packed = await platform.ports.lake.put("landing/readings_parquet/packed.parquet", gzipped);

    // Act
    const plainError = await ingestFile(platform.ports, plain).catch((error: Error) => error);
    const packedOutcome = await ingestNotification(platform.ports, JSON.stringify(objectCreatedEvent("bucket", packed)));

    // Assess
    expect(plainError).toBeInstanceOf(FileTooLargeError);
    expect((plainError as Error).message).toMatch(/exceeds settings\.files\.maxSpoolBytes/);
    expect(packedOutcome).toMatchObject({ outcome: "rejected", reason: expect.stringContaining("decompresses to more than") });
    expect(await countIn("bronze.readings_parquet", packed.key)).toBe(0);
  });

  it("removes what had landed and refuses the file when the caller's deadline passes mid-file", async () => {
    // Prepare: small chunks, so several are flushed before the deadline passes
    platform.config.settings.bronze.maxRowsPerFile = 100;
    const object = await platform.ports.lake.put("landing/lab_results/direct/slow.csv", [header, ...Array.from({ length: 3000 }, (_, i) => row(i))].join("\n"));
    let consulted = 0;
    const options = {
      // Still ahead when ingestion starts; passed from the next look on (after some rows have landed)
      get deadline() {
        consulted += 1;
        return consulted === 1 ? Number.MAX_SAFE_INTEGER : 0;
      },
    };

    // Act
    const attempt = ingestFile(platform.ports, object, undefined, options);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(FileTooLargeError);
    await expect(attempt).rejects.toThrow(/ran out of time after reading .* what had landed was removed/);
    expect(consulted).toBeGreaterThan(1);
    expect(await countIn("bronze.lab_results", object.key)).toBe(0);
  });

  it("refuses keys outside a declared feed and records the reason instead of reading them", async () => {
    // Prepare
    const stray = await platform.ports.lake.put("landing/unknown_feed/file.csv", "a,b\n1,2\n");

    // Act
    const outcome = await ingestNotification(platform.ports, JSON.stringify(objectCreatedEvent("bucket", stray)));
    const traversal = await ingestNotification(
      platform.ports,
      JSON.stringify(objectCreatedEvent("bucket", { ...stray, key: "landing/lab_results/../../bronze/x.csv" })),
    );

    // Assess
    expect(outcome).toEqual({ outcome: "rejected", key: "landing/unknown_feed/file.csv", reason: expect.stringContaining('no feed named "unknown_feed"') });
    expect(traversal).toMatchObject({ outcome: "rejected", reason: "key has an empty, '.' or '..' segment" });
    const recorded = (await rejectedRecords()).map((r) => r.key);
    expect(recorded).toEqual(expect.arrayContaining(["landing/unknown_feed/file.csv", "landing/lab_results/../../bronze/x.csv"]));
  });

  it("refuses a file whose header does not match its feed, once, with the reason recorded", async () => {
    // Prepare
    const object = await platform.ports.lake.put("landing/lab_results/direct/extra-column.csv", [`${header},colour`, `${row(1)},red`].join("\n"));

    // Act
    const outcome = await ingestNotification(platform.ports, JSON.stringify(objectCreatedEvent("bucket", object)));

    // Assess
    expect(outcome).toEqual({ outcome: "rejected", key: object.key, reason: expect.stringContaining('column "colour" is not declared by feed lab_results') });
    expect((await rejectedRecords()).find((r) => r.key === object.key)).toMatchObject({ error: "HeaderMismatchError" });
    expect(await countIn("bronze.lab_results", object.key)).toBe(0);
    expect(await countIn("quarantine.lab_results", object.key)).toBe(0);
  });
});
