import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidRecordError, QuarantineWriter, type FileSystemLakeStore } from "@tributary/core/lake";
import { query, sqlString } from "./duckdb-reader";
import { micros, orders, tempLake, visits } from "./fixtures";
import { listAll } from "./store-contract";

const AT = micros("2026-04-05T06:07:08.123Z") + 456n;

describe("QuarantineWriter", () => {
  let lake: { root: string; store: FileSystemLakeStore; remove(): Promise<void> };
  beforeEach(async () => {
    lake = await tempLake();
  });
  afterEach(() => lake.remove());

  it("keeps each rejected record with its reason, origin and raw form, partitioned by quarantine time", async () => {
    // Prepare
    const writer = new QuarantineWriter({ store: lake.store, dataset: orders, batchId: "q-1", maxRowsPerFile: 100, quarantinedAt: AT });

    // Act
    await writer.add({ recordId: "r1", reason: "amount: expected a decimal(10,2), got \"abc\"", origin: "cdc:0x0001", raw: '{"order_id":1,"amount":"abc"}' });
    await writer.add({ recordId: "r2", reason: "order_id: required" });
    const summary = await writer.close();

    // Assess
    const key = "quarantine/backend/orders/dt=2026-04-05/hour=06/part-q-1-0000.parquet";
    expect(summary).toEqual({ rows: 2, files: [{ key, rows: 2, dt: "2026-04-05", hour: "06", bytes: expect.any(Number) }] });
    const stored = await query(`
      SELECT _record_id, epoch_us(_quarantined_at) AS quarantined_at, _source, _batch_id, _reason, _origin, _raw
      FROM read_parquet(${sqlString(join(lake.root, key))}) ORDER BY _record_id`);
    expect(stored).toEqual([
      { _record_id: "r1", quarantined_at: AT, _source: "backend", _batch_id: "q-1", _reason: 'amount: expected a decimal(10,2), got "abc"', _origin: "cdc:0x0001", _raw: '{"order_id":1,"amount":"abc"}' },
      { _record_id: "r2", quarantined_at: AT, _source: "backend", _batch_id: "q-1", _reason: "order_id: required", _origin: null, _raw: null },
    ]);
  });

  it("quarantines a dataset holding PII under the restricted prefix, since the raw record keeps the PII", async () => {
    // Prepare
    const writer = new QuarantineWriter({ store: lake.store, dataset: visits, batchId: "q-2", maxRowsPerFile: 100, quarantinedAt: AT });

    // Act
    await writer.add({ recordId: "v1", reason: "visit_id: required", raw: '{"email":"a@example.com"}' });
    const summary = await writer.close();

    // Assess
    expect(summary.files.map((f) => f.key)).toEqual(["restricted/quarantine/files/visits/dt=2026-04-05/hour=06/part-q-2-0000.parquet"]);
    expect(await listAll(lake.store, "quarantine/")).toEqual([]);
  });

  it("takes the batch's ingestion time as quarantine time, so one options object serves both writers", async () => {
    // Prepare
    const writer = new QuarantineWriter({ store: lake.store, dataset: orders, batchId: "q-3", maxRowsPerFile: 100, ingestedAt: micros("2026-12-31T23:00:00Z") });

    // Act
    await writer.add({ recordId: "r", reason: "bad" });
    const summary = await writer.close();

    // Assess
    expect(writer.quarantinedAt).toBe(micros("2026-12-31T23:00:00Z"));
    expect(summary.files.map((f) => [f.dt, f.hour])).toEqual([["2026-12-31", "23"]]);
  });

  it("chunks at maxRowsPerFile and overwrites the same files when the batch is re-run", async () => {
    // Prepare
    const run = async () => {
      const writer = new QuarantineWriter({ store: lake.store, dataset: orders, batchId: "q-4", maxRowsPerFile: 2, quarantinedAt: AT });
      for (let i = 0; i < 5; i++) await writer.add({ recordId: `r${i}`, reason: "bad" });
      return writer.close();
    };
    const first = await run();

    // Act
    const second = await run();

    // Assess
    expect(second.files.map((f) => [f.key.split("/").pop(), f.rows])).toEqual([
      ["part-q-4-0000.parquet", 2],
      ["part-q-4-0001.parquet", 2],
      ["part-q-4-0002.parquet", 1],
    ]);
    expect(second.files.map((f) => f.key)).toEqual(first.files.map((f) => f.key));
    expect(await listAll(lake.store, "quarantine/")).toHaveLength(3);
  });

  it.each([
    [{ recordId: "", reason: "bad" }, /needs a non-empty recordId/],
    [{ recordId: "r", reason: "" }, /record "r": a quarantined record needs a non-empty reason/],
    [{ recordId: "r", reason: "bad", raw: { not: "a string" } }, /raw must be the original record as a string, got object/],
  ])("refuses a quarantine entry without what makes it useful (%#)", async (record, message) => {
    // Prepare
    const writer = new QuarantineWriter({ store: lake.store, dataset: orders, batchId: "q-5", maxRowsPerFile: 10 });

    // Act
    const error = await writer.add(record as never).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as Error).message).toMatch(message);
  });
});
