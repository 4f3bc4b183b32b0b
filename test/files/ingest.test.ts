/**
 * File ingestion through the core entry points, on a real local platform (dynalite ledger, filesystem lake).
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestFile, ingestNotification, REJECTED_PREFIX, UnreadableFileError } from "@tributary/core/files";
import { objectCreatedEvent } from "@tributary/core/local";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const header = "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id";
const row = (i: number) => `KIT-${i},VITD,${i},normal,2026-10-01T08:00:00Z,2026-10-0${1 + (i % 9)}T09:00:00Z,lab-1`;

describe("ingestFile", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    // These tests drive ingestion directly: the landing scanner must not race them.
    platform = await startTestPlatform({ landingScanMs: 3_600_000 });
  });
  afterAll(async () => platform?.dispose());

  it("treats the same file version delivered twice as a no-op", async () => {
    // Prepare
    const object = await platform.ports.lake.put("landing/lab_results/direct/twice.csv", [header, row(1), row(2)].join("\n"));

    // Act
    const first = await ingestFile(platform.ports, object);
    const second = await ingestFile(platform.ports, object);

    // Assess
    expect(first).toMatchObject({ status: "ingested", rowsRead: 2, rowsLanded: 2, rowsQuarantined: 0 });
    expect(second).toMatchObject({ status: "already-ingested", rowsRead: 0 });
    expect(await platform.ports.lake.head(`manifests/files/lab_results/${first.batchId}.json`)).toBeDefined();
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
    platform.config.settings.bronze.maxRowsPerFile = 250_000;
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
    const [left] = await platform.query("SELECT count(*) AS n FROM bronze.lab_results WHERE _file = 'landing/lab_results/direct/truncated.csv.gz'");
    expect(Number(left!.n)).toBe(0);
    platform.config.settings.bronze.maxRowsPerFile = 250_000;
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
    const recorded: string[] = [];
    for await (const o of platform.ports.lake.list(REJECTED_PREFIX)) recorded.push(o.key);
    expect(recorded.length).toBeGreaterThanOrEqual(2);
  });
});
