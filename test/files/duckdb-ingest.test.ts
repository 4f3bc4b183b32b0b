/**
 * The DuckDB path (CSV feeds) beside the streaming path it replaces: the same bronze (columns, types, partitions,
 * names, rows), the same announcements, files bounded by `maxRowsPerFile`, retries that overwrite, the choice of
 * path, and the check that sends a file back to the streaming path when DuckDB reads it differently.
 */
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, type ConfigInput, type Feed } from "@tributary/core/config";
import {
  chooseEngine,
  DuckDbDisagreementError,
  DuckDbLoad,
  fileBatchId,
  ingestFile,
  ingestStreaming,
  ingestWithDuckDb,
  type FileToIngest,
} from "@tributary/core/files";
import type { BusEvent, Ports } from "@tributary/core/platform";
import { wiring } from "@tributary/core/wiring";
import shipped from "../../tributary.config";
import { startTestPlatform, type TestPlatform } from "../support/platform";
import { READINGS_COLUMNS } from "./readings-columns";

// The corpus columns, plus the two number types the SQL coercers must match too.
const readings = { ...READINGS_COLUMNS, count: "int", ratio: "double" } as const;
const config = {
  ...shipped,
  feeds: [...(shipped.feeds ?? []), { name: "readings", format: { type: "csv" }, columns: readings, partitionTime: "taken_at" }],
} as ConfigInput;

const READINGS_HEADER = "reading_id,sensor,value,ok,taken_on,taken_at,count,ratio";
const reading = (i: number) =>
  `${i},"s-${i % 7}, ""north""",${(i * 1.25).toFixed(2)},${i % 2 === 0},2026-10-0${1 + (i % 3)},2026-10-01T0${i % 4}:${String(i % 60).padStart(2, "0")}:00Z,${i - 500},${i / 8}`;
const LAB_HEADER = "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id";
const lab = (i: number) => `KIT-${i},VITD,${i},normal,2026-10-01T08:00:00Z,2026-10-0${1 + (i % 3)}T0${i % 5}:00:00Z,lab-1`;

describe("the DuckDB path", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ config, landingScanMs: 3_600_000 });
    platform.config.settings.bronze = { ...platform.config.settings.bronze };
  });
  afterAll(async () => {
    await platform?.dispose();
  });
  afterEach(() => {
    platform.config.settings.bronze = { ...platform.config.settings.bronze, maxRowsPerFile: 250_000 };
  });

  /** Ports whose bus keeps what is announced (instead of starting the link consumer). */
  const recording = () => {
    const events: BusEvent[] = [];
    const ports: Ports = { ...platform.ports, bus: { put: async (batch) => void events.push(...batch) } };
    return { ports, events };
  };
  const bronzeOf = async (key: string) =>
    platform.query(`SELECT * EXCLUDE (_ingested_at, _record_id, _batch_id, _file) FROM bronze.readings WHERE _file = '${key}' ORDER BY _row_number`);

  it("lands the rows, columns, types and partitions the streaming path lands", async () => {
    // Prepare: every column type, quoted fields, and three bad rows
    const text = [READINGS_HEADER, ...Array.from({ length: 300 }, (_, i) => reading(i)), "x,s,1,true,2026-10-01,2026-10-01T00:00:00Z,1,1", "1,s", "2,s,1.234,maybe,2026-10-01,soon,1,1"].join("\n");
    const viaStreaming = await platform.ports.lake.put("landing/readings/same/streaming.csv", text);
    const viaDuckDb = await platform.ports.lake.put("landing/readings/same/duckdb.csv", text);

    // Act
    const streamed = await ingestFile(platform.ports, viaStreaming, undefined, { engine: "streaming" });
    const loaded = await ingestFile(platform.ports, viaDuckDb);

    // Assess
    expect(loaded).toMatchObject({ engine: "duckdb", rowsRead: 303, rowsLanded: 300, rowsQuarantined: 3 });
    expect(streamed).toMatchObject({ engine: "streaming", rowsRead: 303, rowsLanded: 300, rowsQuarantined: 3 });
    expect(await bronzeOf(viaDuckDb.key)).toEqual(await bronzeOf(viaStreaming.key));
    const partitionsOf = (files: string[], batchId: string) => files.map((k) => k.replace(`part-${batchId}-`, "part-"));
    expect(partitionsOf(loaded.files, loaded.batchId)).toEqual(partitionsOf(streamed.files, streamed.batchId));
    expect(await parquetSchema(platform, loaded.files[0]!)).toEqual(await parquetSchema(platform, streamed.files[0]!));
    expect(await parquetSchema(platform, loaded.quarantineFiles[0]!)).toEqual(await parquetSchema(platform, streamed.quarantineFiles[0]!));
    const quarantined = (key: string) =>
      platform.query(`SELECT _reason, _raw, regexp_extract(_origin, '[0-9]+$') AS row FROM quarantine.readings WHERE _origin LIKE '${key}:%' ORDER BY row`);
    expect(await quarantined(viaDuckDb.key)).toEqual(await quarantined(viaStreaming.key));
  });

  it("announces the landed rows and their link keys as the streaming path does", async () => {
    // Prepare: a restricted (PII) dataset, so bronze lives under restricted/
    const text = [LAB_HEADER, ...Array.from({ length: 50 }, (_, i) => lab(i)), "KIT-X,VITD"].join("\n");
    const a = await platform.ports.lake.put("landing/lab_results/announce/a.csv", text);
    const b = await platform.ports.lake.put("landing/lab_results/announce/b.csv", text);
    const streaming = recording();
    const duckdb = recording();

    // Act
    const streamed = await ingestFile(streaming.ports, a, undefined, { engine: "streaming" });
    const loaded = await ingestFile(duckdb.ports, b);

    // Assess
    const announced = (events: BusEvent[], batchId: string) =>
      events
        .filter((e) => e.detailType === "record.ingested")
        .map((e) => {
          const detail = e.detail as { files: string[]; records: { recordId: string }[] };
          return { ...detail, batchId: "—", files: detail.files.length, records: detail.records.map((r) => ({ ...r, recordId: r.recordId.replace(batchId, "—") })) };
        });
    expect(loaded.files.every((k) => k.startsWith("restricted/bronze/files/lab_results/dt=2026-10-0"))).toBe(true);
    expect(announced(duckdb.events, loaded.batchId)).toEqual(announced(streaming.events, streamed.batchId));
    expect(announced(duckdb.events, loaded.batchId)[0]).toMatchObject({ landed: 50, quarantined: 1, linkKeysComplete: true });
  });

  it("never writes a bronze file of more than maxRowsPerFile rows", async () => {
    // Prepare
    platform.config.settings.bronze.maxRowsPerFile = 100;
    const object = await platform.ports.lake.put("landing/lab_results/bounded/many.csv", [LAB_HEADER, ...Array.from({ length: 1000 }, (_, i) => lab(i))].join("\n"));

    // Act
    const manifest = await ingestFile(platform.ports, object);

    // Assess
    const perFile = await Promise.all(manifest.files.map((key) => rowsIn(platform, key)));
    expect(perFile.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...perFile)).toBeLessThanOrEqual(100);
  });

  it("overwrites on a retry, removing chunks an earlier attempt wrote beyond this one's", async () => {
    // Prepare: a first attempt (streaming, small chunks) landed its files but never completed
    const object = await platform.ports.lake.put("landing/lab_results/retry/again.csv", [LAB_HEADER, ...Array.from({ length: 600 }, (_, i) => lab(i))].join("\n"));
    const file: FileToIngest = { key: object.key, size: object.size, feed: feedNamed("lab_results"), dataset: datasetNamed(platform.config, "lab_results"), batchId: fileBatchId(object) };
    platform.config.settings.bronze.maxRowsPerFile = 100;
    const first = await ingestStreaming(recording().ports, file, undefined, {});
    platform.config.settings.bronze.maxRowsPerFile = 250_000;

    // Act
    const second = await ingestWithDuckDb(recording().ports, file, undefined, {});
    const third = await ingestWithDuckDb(recording().ports, file, undefined, {});

    // Assess
    expect(first.files.length).toBeGreaterThan(second.files.length);
    expect(third.files).toEqual(second.files);
    const [found] = await platform.query(`SELECT count(*) AS n, count(DISTINCT _row_number) AS rows FROM bronze.lab_results WHERE _file = '${object.key}'`);
    expect({ n: Number(found!.n), rows: Number(found!.rows) }).toEqual({ n: 600, rows: 600 });
  });

  it("chooses DuckDB for CSV and the streaming path for what DuckDB cannot read exactly", () => {
    // Prepare
    const csv = feedNamed("lab_results");
    const jsonl = { ...csv, format: { type: "jsonl" } } as Feed;
    const quoteInDelimiter = { ...csv, format: { ...csv.format, delimiter: '"|' } } as Feed;
    const tsv = { ...csv, format: { ...csv.format, delimiter: "\t", encoding: "utf16le" } } as Feed;
    const notAscii = { ...csv, format: { ...csv.format, delimiter: "§" } } as Feed;

    // Act
    const choices = [csv, tsv, jsonl, quoteInDelimiter, notAscii].map((feed) => chooseEngine(feed));

    // Assess
    expect(choices).toEqual(["duckdb", "duckdb", "streaming", "streaming", "streaming"]);
    expect(chooseEngine(csv, "streaming")).toBe("streaming");
    expect(() => chooseEngine(jsonl, "duckdb")).toThrow("files: feed lab_results cannot use the DuckDB path: JSON Lines is read by the streaming path");
  });

  it("stops before storing anything when DuckDB reads other rows than were staged", async () => {
    // Prepare: a staged piece whose second line has a field too few (the scanner never stages one)
    const dir = await mkdtemp(join(tmpdir(), "tributary-disagree-"));
    const piece = join(dir, "staged-0000.csv");
    await writeFile(piece, "1,,KIT-1,VITD,1,n,2026-10-01T08:00:00Z,2026-10-01T09:00:00Z,lab\n2,,KIT-2,VITD\n");
    const dataset = datasetNamed(platform.config, "lab_results");
    const columns = dataset.columns.filter((c) => !c.lineage).map((c) => c.name);
    const lineage = { key: "landing/lab_results/x.csv", batchId: "b1", ingestedAt: 1_790_000_000_000_000n };
    const load = await DuckDbLoad.open({ delimiter: ",", quote: '"', dataset, linkKeys: {}, lineage, dir, size: 1, deadlineOf: () => undefined });

    // Act
    load.add({ path: piece, index: 0, rows: 2, columns, longestLine: 80 });
    const staged = { pieces: [], refusedPath: join(dir, "refused.csv"), columns, rowsRead: 2, rowsStaged: 2, rowsRefused: 0, longestLine: 80, longestRefusedLine: 0, gzip: false, contentBytes: 1 };
    const finished = load.finish(staged).catch((error: unknown) => error);
    const error = await finished;
    await load.close();
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(error).toBeInstanceOf(DuckDbDisagreementError);
    expect((error as Error).message).toMatch(/DuckDB read 1 rows of the 2 staged and rejected 1/);
  });

  it("runs on AWS with the local disk a file of the largest size one invocation takes needs", () => {
    // Prepare
    const { files } = platform.config.settings;

    // Act
    const fn = wiring(platform.config, { lakeBucket: "lake" }).functions.find((f) => f.name === "file-ingest")!;

    // Assess: a whole decompressed file staged (the worst case: DuckDB not yet past its first piece), or a spooled Parquet
    const disk = (fn.ephemeralStorageMb ?? 512) * 2 ** 20;
    expect(disk).toBeGreaterThan(files.maxBytesPerInvocation * 1.25);
    expect(disk).toBeGreaterThan(files.maxSpoolBytes);
  });

  function feedNamed(name: string): Feed {
    return platform.config.feeds.find((f) => f.name === name)!;
  }
});

/** Column names and DuckDB types of one stored Parquet file. */
async function parquetSchema(platform: TestPlatform, key: string): Promise<{ name: string; type: string }[]> {
  return withLocalCopy(platform, key, async (connection, path) =>
    (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
  );
}

async function rowsIn(platform: TestPlatform, key: string): Promise<number> {
  return withLocalCopy(platform, key, async (connection, path) => Number((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}')`)).getRows()[0]![0]));
}

async function withLocalCopy<T>(platform: TestPlatform, key: string, read: (connection: Awaited<ReturnType<DuckDBInstance["connect"]>>, path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-parquet-"));
  const path = join(dir, "file.parquet");
  await writeFile(path, await platform.ports.lake.get(key));
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    return await read(connection, path);
  } finally {
    connection.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
