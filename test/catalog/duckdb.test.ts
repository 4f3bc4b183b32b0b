/**
 * `openLakeQuery`'s silver and gold views: they answer the version `_current.json` publishes — nothing before the
 * first publish, never a version still being written — with the same columns whether or not a version exists.
 */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLakeQuery, silverColumns, UnreadableTableVersionError } from "@tributary/core/catalog";
import { datasetNamed, datasets, parseConfig } from "@tributary/core/config";
import { goldColumns, publishManifest, readCurrentManifest, versionPrefix } from "@tributary/core/medallion";
import shipped from "../../tributary.config";
import { lakeFixture, sampleRow, type LakeFixture } from "./lake-fixture";

const config = parseConfig(shipped);
const orders = datasetNamed(config, "orders");
const order = (id: number, status: string, lsn: string, op = "insert") => ({ order_id: String(id), customer_id: "7", amount: "12.50", status, $lsn: lsn, $op: op });

let lake: LakeFixture;
beforeEach(async () => {
  lake = await lakeFixture(config);
});
afterEach(async () => lake.remove());

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const view = await openLakeQuery(lake.ports.lake, config);
  try {
    return await view.query(sql);
  } finally {
    await view.close();
  }
}

/** `name type` of each column a query returns, as DuckDB describes it. */
async function describe_(sql: string): Promise<string[]> {
  return (await query(`DESCRIBE ${sql}`)).map((r) => `${r.column_name} ${r.column_type}`);
}

describe("openLakeQuery: silver", () => {
  it("answers zero rows with silver's columns before any merge", async () => {
    // Act
    const rows = await query("SELECT * FROM silver.orders");
    const columns = await describe_("SELECT * FROM silver.orders");

    // Assess
    expect(rows).toEqual([]);
    expect(columns.map((c) => c.split(" ")[0])).toEqual(silverColumns(orders).map((c) => c.name));
    expect(columns).toEqual(expect.arrayContaining(["order_id BIGINT", "amount DECIMAL(10,2)", "updated_at TIMESTAMP WITH TIME ZONE", "_op VARCHAR", "entity_id VARCHAR"]));
  });

  it("answers the merged rows of the current version after mergeSilver", async () => {
    // Prepare
    await lake.land(orders, "b1", [order(1, "paid", "0000002A000000000001"), order(2, "paid", "0000002A000000000002")]);
    await lake.merge(orders);
    await lake.land(orders, "b2", [order(1, "shipped", "0000002A000000000003", "update_after"), order(3, "pending", "0000002A000000000004")]);
    const second = await lake.merge(orders);

    // Act
    const view = await openLakeQuery(lake.ports.lake, config);
    const rows = await view.query("SELECT order_id, status, amount, _op FROM silver.orders ORDER BY order_id");
    const files = view.tables["silver.orders"];
    await view.close();

    // Assess: the second version only — order 1 once, shipped.
    expect(second.status).toBe("published");
    expect(rows).toEqual([
      { order_id: "1", status: "shipped", amount: "12.50", _op: "update_after" },
      { order_id: "2", status: "paid", amount: "12.50", _op: "insert" },
      { order_id: "3", status: "pending", amount: "12.50", _op: "insert" },
    ]);
    expect(files).toBe((await readCurrentManifest(lake.ports.lake, "silver", "orders"))!.files.length);
  });

  it("never shows a version written but not published", async () => {
    // Prepare: a published version, then a copy of its file under another version's prefix with no switch to it.
    await lake.land(orders, "b1", [order(1, "paid", "0000002A000000000001")]);
    await lake.merge(orders);
    const manifest = (await readCurrentManifest(lake.ports.lake, "silver", "orders"))!;
    const stray = join(lake.dir, versionPrefix("silver", "orders", "29991231T000000000Z-dead"), "part-0.parquet");
    await mkdir(dirname(stray), { recursive: true });
    await copyFile(join(lake.dir, manifest.files[0]!.key), stray);

    // Act
    const rows = await query("SELECT order_id FROM silver.orders");

    // Assess
    expect(rows).toEqual([{ order_id: "1" }]);
  });

  it("refuses a published version whose file is missing, naming the table, version and key", async () => {
    // Prepare
    await lake.land(orders, "b1", [order(1, "paid", "0000002A000000000001")]);
    const { version } = await lake.merge(orders);
    const manifest = (await readCurrentManifest(lake.ports.lake, "silver", "orders"))!;
    await rm(join(lake.dir, manifest.files[0]!.key));

    // Act
    const opening = openLakeQuery(lake.ports.lake, config);

    // Assess
    await expect(opening).rejects.toThrow(UnreadableTableVersionError);
    await expect(openLakeQuery(lake.ports.lake, config)).rejects.toThrow(`catalog: silver.orders version ${version} lists ${manifest.files[0]!.key}, which is missing from the lake`);
  });

  it("declares every dataset's silver columns exactly as the merge writes them: names, order and types", async () => {
    for (const dataset of datasets(config)) {
      // Prepare
      const empty = await describe_(`SELECT * FROM silver.${dataset.name}`);
      await lake.land(dataset, `b-${dataset.name}`, [sampleRow(dataset, config.quality)]);
      await lake.merge(dataset);

      // Act: the files' own schema, not the view's (a view would widen a narrower file type silently).
      const manifest = (await readCurrentManifest(lake.ports.lake, "silver", dataset.name))!;
      const files = manifest.files.map((f) => `'${join(lake.dir, f.key)}'`).join(", ");
      const written = await describe_(`SELECT * FROM read_parquet([${files}], hive_partitioning = false)`);
      const [row] = await query(`SELECT count(*) AS n FROM silver.${dataset.name}`);

      // Assess
      expect(written, dataset.name).toEqual(empty);
      expect(row, dataset.name).toEqual({ n: "1" });
    }
  });
});

describe("openLakeQuery: gold", () => {
  it("answers zero rows with each report's columns before its first build", async () => {
    for (const report of config.reports) {
      const columns = await describe_(`SELECT * FROM gold.${report.name}`);

      expect(await query(`SELECT * FROM gold.${report.name}`)).toEqual([]);
      expect(columns.map((c) => c.split(" ")[0]), report.name).toEqual(goldColumns(report.kind).map((c) => c.name));
    }
  });

  it("answers the rows of the published gold version", async () => {
    // Prepare: a gold version written the way the layout prescribes — files under v=<version>/, then the manifest.
    const version = "20261121T090000000Z-0001";
    const key = `${versionPrefix("gold", "daily_kpis", version)}part-0.parquet`;
    await mkdir(dirname(join(lake.dir, key)), { recursive: true });
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT DATE '2026-11-20' AS dt, 3::BIGINT AS orders, 37.50::DECIMAL(18,2) AS revenue, 2::BIGINT AS lab_results, 20.0 AS turnaround_p50_hours, 30.0 AS turnaround_p95_hours, 5::BIGINT AS visitors, '{}' AS funnel_by_utm_source) TO '${join(lake.dir, key)}' (FORMAT PARQUET)`,
    );
    conn.closeSync();
    db.closeSync();
    await publishManifest(lake.ports.lake, { layer: "gold", table: "daily_kpis", version, createdAt: "2026-11-21T09:00:00Z", rows: 1, files: [{ key, bytes: 1 }], consumed: [], added: [], previousVersion: null });

    // Act
    const rows = await query("SELECT dt, orders, revenue, visitors FROM gold.daily_kpis");

    // Assess
    expect(rows).toEqual([{ dt: "2026-11-20", orders: "3", revenue: "37.50", visitors: "5" }]);
  });
});
