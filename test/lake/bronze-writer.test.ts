import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Row } from "@tributary/core/config";
import {
  BronzeWriter,
  InvalidRecordError,
  InvalidWriterOptionsError,
  LakeWriteError,
  MissingLineageError,
  WriterClosedError,
  type FileSystemLakeStore,
  type LakeStore,
} from "@tributary/core/lake";
import { query, sqlString } from "./duckdb-reader";
import { clicks, micros, orders, tempLake, visits } from "./fixtures";
import { listAll } from "./store-contract";

const INGESTED_AT = micros("2026-03-04T05:06:07.000Z");
const cdcLineage = (id: string) => ({ _record_id: id, _lsn: `0x${id}`, _seqval: "0x01", _op: "2", _commit_ts: null });

async function writeOrders(store: LakeStore, rows: Row[], maxRowsPerFile = 100, batchId = "batch-1") {
  const writer = new BronzeWriter({ store, dataset: orders, batchId, maxRowsPerFile, ingestedAt: INGESTED_AT });
  for (const [i, row] of rows.entries()) await writer.add(row, cdcLineage(String(i)));
  return writer.close();
}

describe("BronzeWriter", () => {
  let lake: { root: string; store: FileSystemLakeStore; remove(): Promise<void> };
  beforeEach(async () => {
    lake = await tempLake();
  });
  afterEach(() => lake.remove());

  it("partitions rows by the dataset's partition time column and fills the lineage columns", async () => {
    // Prepare
    const rows: Row[] = [
      { order_id: 1n, amount: "10.50", updated_at: micros("2026-01-02T03:15:00.000Z") },
      { order_id: 2n, amount: null, updated_at: micros("2026-01-02T04:00:00.000Z") },
      { order_id: 3n, amount: "-0.01", updated_at: micros("2026-01-02T03:59:59.999Z") },
    ];

    // Act
    const summary = await writeOrders(lake.store, rows);

    // Assess
    const prefix = "bronze/backend/orders/";
    expect(summary).toEqual({
      rows: 3,
      files: [
        { key: `${prefix}dt=2026-01-02/hour=03/part-batch-1-0000.parquet`, rows: 2, dt: "2026-01-02", hour: "03", bytes: expect.any(Number) },
        { key: `${prefix}dt=2026-01-02/hour=04/part-batch-1-0000.parquet`, rows: 1, dt: "2026-01-02", hour: "04", bytes: expect.any(Number) },
      ],
    });
    for (const file of summary.files) expect((await lake.store.head(file.key))?.size).toBe(file.bytes);
    const glob = sqlString(join(lake.root, prefix, "**", "*.parquet"));
    const stored = await query(`
      SELECT order_id, CAST(amount AS VARCHAR) AS amount, epoch_us(updated_at) AS updated_at, _record_id, epoch_us(_ingested_at) AS ingested_at,
             _source, _batch_id, _lsn, _seqval, _op, _commit_ts, hour
      FROM read_parquet(${glob}, hive_partitioning = true) ORDER BY order_id`);
    expect(stored).toEqual([
      { order_id: 1n, amount: "10.50", updated_at: rows[0]!.updated_at, _record_id: "0", ingested_at: INGESTED_AT, _source: "backend", _batch_id: "batch-1", _lsn: "0x0", _seqval: "0x01", _op: "2", _commit_ts: null, hour: "03" },
      { order_id: 2n, amount: null, updated_at: rows[1]!.updated_at, _record_id: "1", ingested_at: INGESTED_AT, _source: "backend", _batch_id: "batch-1", _lsn: "0x1", _seqval: "0x01", _op: "2", _commit_ts: null, hour: "04" },
      { order_id: 3n, amount: "-0.01", updated_at: rows[2]!.updated_at, _record_id: "2", ingested_at: INGESTED_AT, _source: "backend", _batch_id: "batch-1", _lsn: "0x2", _seqval: "0x01", _op: "2", _commit_ts: null, hour: "03" },
    ]);
  });

  it("writes the same keys when a batch is re-run, so the retry overwrites instead of duplicating", async () => {
    // Prepare
    const rows: Row[] = Array.from({ length: 5 }, (_, i) => ({ order_id: BigInt(i), amount: "1.00", updated_at: micros(`2026-01-0${1 + (i % 2)}T10:00:00Z`) }));
    const first = await writeOrders(lake.store, rows, 2);
    const before = await listAll(lake.store, "bronze/");

    // Act
    const second = await writeOrders(lake.store, rows, 2);
    const after = await listAll(lake.store, "bronze/");

    // Assess
    expect(second.files.map((f) => f.key)).toEqual(first.files.map((f) => f.key));
    expect(after.map((o) => o.key)).toEqual(before.map((o) => o.key));
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${sqlString(join(lake.root, "bronze", "**", "*.parquet"))})`);
    expect(count).toEqual({ n: 5n });
  });

  it("starts a new file in a partition every maxRowsPerFile rows", async () => {
    // Prepare
    const at = micros("2026-05-06T07:08:09Z");
    const rows: Row[] = Array.from({ length: 7 }, (_, i) => ({ order_id: BigInt(i), amount: null, updated_at: at }));

    // Act
    const summary = await writeOrders(lake.store, rows, 3);

    // Assess
    expect(summary.files.map((f) => [f.key.split("/").pop(), f.rows])).toEqual([
      ["part-batch-1-0000.parquet", 3],
      ["part-batch-1-0001.parquet", 3],
      ["part-batch-1-0002.parquet", 1],
    ]);
    expect(summary.rows).toBe(7);
  });

  it("never holds more than maxRowsPerFile rows across partitions: the largest buffer is written early", async () => {
    // Prepare: ten rows in ten different hours, three rows allowed in memory.
    const puts: string[] = [];
    const recording: LakeStore = Object.assign(Object.create(lake.store) as LakeStore, {
      put: (key: string, body: Uint8Array) => {
        puts.push(key);
        return lake.store.put(key, body);
      },
    });
    const writer = new BronzeWriter({ store: recording, dataset: orders, batchId: "spread", maxRowsPerFile: 3, ingestedAt: INGESTED_AT });

    // Act
    for (let hour = 0; hour < 10; hour++) {
      const at = micros(`2026-01-01T${String(hour).padStart(2, "0")}:30:00Z`);
      await writer.add({ order_id: BigInt(hour), amount: null, updated_at: at }, cdcLineage(String(hour)));
    }
    const writtenBeforeClose = puts.length;
    const summary = await writer.close();

    // Assess
    expect(writtenBeforeClose).toBe(7);
    expect(summary.files).toHaveLength(10);
    expect(summary.files.every((f) => f.rows === 1)).toBe(true);
    expect(summary.rows).toBe(10);
  });

  it("puts a dataset holding PII under the restricted prefix, with date partitions at hour 00", async () => {
    // Prepare
    const writer = new BronzeWriter({ store: lake.store, dataset: visits, batchId: "v1", maxRowsPerFile: 10, ingestedAt: INGESTED_AT });
    const lineage = (id: string) => ({ _record_id: id, _file: "landing/visits/a.jsonl", _row_number: BigInt(id) });

    // Act
    await writer.add({ visit_id: "a", visit_date: "2026-02-03", email: "a@example.com" }, lineage("1"));
    await writer.add({ visit_id: "b", visit_date: null, email: null }, lineage("2"));
    const summary = await writer.close();

    // Assess: a null partition time falls back to the ingestion time.
    expect(summary.files.map((f) => f.key)).toEqual([
      "restricted/bronze/files/visits/dt=2026-02-03/hour=00/part-v1-0000.parquet",
      "restricted/bronze/files/visits/dt=2026-03-04/hour=05/part-v1-0000.parquet",
    ]);
    expect(await listAll(lake.store, "bronze/")).toEqual([]);
  });

  it("partitions by the ingestion time when the dataset names no partition column", async () => {
    // Prepare
    const writer = new BronzeWriter({ store: lake.store, dataset: clicks, batchId: "c1", maxRowsPerFile: 10, ingestedAt: micros("2026-07-08T23:59:59Z") });

    // Act
    await writer.add({ click_id: "k1", page: "/" }, { _record_id: "k1", _received_at: micros("2026-07-08T23:59:58Z"), _source_ip: "10.0.0.1", _user_agent: null });
    const summary = await writer.close();

    // Assess
    expect(summary.files.map((f) => f.key)).toEqual(["bronze/streams/clicks/dt=2026-07-08/hour=23/part-c1-0000.parquet"]);
  });

  it("refuses a record whose required lineage is missing, naming the column", async () => {
    // Prepare
    const writer = new BronzeWriter({ store: lake.store, dataset: orders, batchId: "b", maxRowsPerFile: 10 });
    const row = { order_id: 1n, amount: null, updated_at: null };

    // Act
    const error = await writer.add(row, { _record_id: "r1", _lsn: "0x1", _op: "2" }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MissingLineageError);
    expect((error as Error).message).toBe('lake: dataset orders, record "r1": lineage column _seqval is required but was not given');
  });

  it.each([
    [{ order_id: 1n, amount: null, updated_at: null, extra: "x" }, cdcLineage("r"), /unknown column extra/],
    [{ order_id: 1, amount: null, updated_at: null }, cdcLineage("r"), /column order_id: expected a 64-bit bigint, got 1/],
    [{ order_id: null, amount: null, updated_at: null }, cdcLineage("r"), /column order_id is required but is null/],
    [{ order_id: 1n, amount: "1.234", updated_at: null }, cdcLineage("r"), /column amount: "1.234" has more than 2 decimal places/],
    [{ order_id: 1n, amount: null, updated_at: null }, { ...cdcLineage("r"), _source: "forged" }, /lineage column _source is filled by the writer/],
    [{ order_id: 1n, amount: null, updated_at: null }, { ...cdcLineage("r"), _file: "x" }, /unknown lineage column _file \(a cdc dataset takes _record_id, _lsn/],
    [{ order_id: 1n, amount: null, updated_at: null }, cdcLineage(""), /_record_id must not be empty/],
    [{ order_id: 1n, amount: null, updated_at: 10n ** 18n }, cdcLineage("r"), /partition time updated_at = 1000000000000000000µs is outside years 0000-9999/],
  ])("refuses a record that does not match the dataset (%#)", async (row, lineage, message) => {
    // Prepare
    const writer = new BronzeWriter({ store: lake.store, dataset: orders, batchId: "b", maxRowsPerFile: 10 });

    // Act
    const error = await writer.add(row as Row, lineage).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as Error).message).toMatch(message);
  });

  it("refuses options that would make unsafe or meaningless files", () => {
    // Act
    const attempt = () => new BronzeWriter({ store: lake.store, dataset: orders, batchId: "../x", maxRowsPerFile: 0 });

    // Assess
    expect(attempt).toThrow(InvalidWriterOptionsError);
    expect(attempt).toThrow(/batchId: must be 1-128 letters.*; maxRowsPerFile: /);
  });

  it("fails loudly after a write error instead of losing the buffered rows", async () => {
    // Prepare
    const broken: LakeStore = Object.assign(Object.create(lake.store) as LakeStore, {
      put: async () => {
        throw new Error("disk full");
      },
    });
    const writer = new BronzeWriter({ store: broken, dataset: orders, batchId: "b", maxRowsPerFile: 1, ingestedAt: INGESTED_AT });
    const row = { order_id: 1n, amount: null, updated_at: null };

    // Act
    const first = await writer.add(row, cdcLineage("1")).catch((e: unknown) => e);
    const second = await writer.add(row, cdcLineage("2")).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(LakeWriteError);
    expect((first as Error).message).toMatch(/^lake: could not write bronze\/backend\/orders\/dt=2026-03-04\/hour=05\/part-b-0000\.parquet: Error: disk full/);
    expect(second).toBeInstanceOf(WriterClosedError);
  });

  it("cannot be used after close", async () => {
    // Prepare
    const writer = new BronzeWriter({ store: lake.store, dataset: orders, batchId: "b", maxRowsPerFile: 10 });
    const empty = await writer.close();

    // Act
    const error = await writer.add({ order_id: 1n, amount: null, updated_at: null }, cdcLineage("1")).catch((e: unknown) => e);

    // Assess
    expect(empty).toEqual({ rows: 0, files: [] });
    expect(error).toBeInstanceOf(WriterClosedError);
    expect((error as Error).message).toBe("lake: the writer for dataset orders is closed");
  });
});
