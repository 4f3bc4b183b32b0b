/**
 * DuckDB over the lake with the same names analysts use in Athena: databases `bronze`, `silver`, `gold` and
 * `quarantine`, one table per dataset (gold: per configured report). Views read the lake's Parquet through the
 * LakeStore (staged locally — DuckDB's httpfs cannot be installed offline). Bronze and quarantine read every file
 * under the dataset's prefix; silver and gold read exactly the files of the version `_current.json` publishes,
 * as Athena does through the symlink manifest. A table with no files yet is a typed, empty view.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { datasets, duckdbType, QUARANTINE_COLUMNS, UNROUTED_RECORDS, type Column, type TributaryConfig } from "../config";
import type { LakeStore, StagedPrefix } from "../lake";
import { datasetPrefix } from "../lake/keys";
import { goldColumns } from "../medallion/gold-schema";
import { readCurrentManifest, versionPrefix, type TableLayer } from "../medallion/layout";
import { UnreadableTableVersionError } from "./errors";
import { silverColumns } from "./silver-columns";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";

export const DATABASES = ["bronze", "silver", "gold", "quarantine"] as const;

export interface LakeQuery {
  connection: DuckDBConnection;
  /** Runs SQL and returns JSON-safe rows (timestamps as ISO text, decimals and bigints as exact strings). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** The views that were created, `database.table` → number of Parquet files behind it. */
  tables: Record<string, number>;
  close(): Promise<void>;
}


/** Zero rows with the table's columns and types; bronze and quarantine also have their `dt`/`hour` partitions. */
function emptyView(columns: Column[], partitioned: boolean): string {
  const cols = columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`);
  if (partitioned) cols.push("CAST(NULL AS DATE) AS dt", "CAST(NULL AS INTEGER) AS hour");
  return `SELECT ${cols.join(", ")} WHERE false`;
}

async function countParquet(store: LakeStore, prefix: string): Promise<number> {
  let n = 0;
  for await (const object of store.listKeys(prefix)) if (object.key.endsWith(".parquet")) n += 1;
  return n;
}

/**
 * @example
 * const lake = await openLakeQuery(store, config);
 * await lake.query("SELECT count(*) AS n FROM bronze.user_events"); // [{ n: "42" }]
 * await lake.query("SELECT order_id, status FROM silver.orders");    // the current silver version
 */
export async function openLakeQuery(store: LakeStore, config: TributaryConfig): Promise<LakeQuery> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const staged: StagedPrefix[] = [];
  const tables: Record<string, number> = {};
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const database of DATABASES) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${database}`);
    const partitioned = [
      ...datasets(config).flatMap((d) => [{ dataset: d, layer: "bronze" as const }, { dataset: d, layer: "quarantine" as const }]),
      { dataset: UNROUTED_RECORDS, layer: "quarantine" as const },
    ];
    for (const { dataset, layer } of partitioned) {
      const columns = layer === "bronze" ? dataset.columns : QUARANTINE_COLUMNS;
      tables[`${layer}.${dataset.name}`] = await createPartitionedView(connection, store, { layer, name: dataset.name, prefix: datasetPrefix(dataset, layer), columns }, staged);
    }
    const versioned = [
      ...datasets(config).map((d) => ({ layer: "silver" as const, name: d.name, columns: silverColumns(d) })),
      ...config.reports.map((r) => ({ layer: "gold" as const, name: r.name, columns: goldColumns(r.kind) })),
    ];
    for (const table of versioned) tables[`${table.layer}.${table.name}`] = await createVersionedView(connection, store, table, staged);
  } catch (error) {
    await closeAll(connection, db, staged);
    throw error;
  }
  return {
    connection,
    tables,
    query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
    close: () => closeAll(connection, db, staged),
  };
}

async function closeAll(connection: DuckDBConnection, db: DuckDBInstance, staged: StagedPrefix[]): Promise<void> {
  connection.closeSync();
  db.closeSync();
  for (const stage of staged) await stage.cleanup();
}

/** Bronze or quarantine: every Parquet file under the dataset's prefix, `dt`/`hour` from the path. */
async function createPartitionedView(
  connection: DuckDBConnection,
  store: LakeStore,
  table: { layer: "bronze" | "quarantine"; name: string; prefix: string; columns: Column[] },
  staged: StagedPrefix[],
): Promise<number> {
  const view = `${table.layer}.${sqlIdent(table.name)}`;
  const files = await countParquet(store, table.prefix);
  if (files === 0) {
    await connection.run(`CREATE OR REPLACE VIEW ${view} AS ${emptyView(table.columns, true)}`);
    return 0;
  }
  const stage = await store.stage(table.prefix);
  staged.push(stage);
  const glob = join(stage.dir, "**", "*.parquet");
  // union_by_name: files written before a column was added still read; hour comes back as text from the path.
  await connection.run(
    `CREATE OR REPLACE VIEW ${view} AS SELECT * REPLACE (CAST(hour AS INTEGER) AS hour) FROM read_parquet(${sqlLiteral(glob)}, hive_partitioning = true, union_by_name = true)`,
  );
  return files;
}

/**
 * Silver or gold: the files of the published version only — never a version still being written, nor an older
 * one. The declared columns come first (by name), so a version written before a column existed reads it as NULL.
 */
async function createVersionedView(
  connection: DuckDBConnection,
  store: LakeStore,
  table: { layer: TableLayer; name: string; columns: Column[] },
  staged: StagedPrefix[],
): Promise<number> {
  const view = `${table.layer}.${sqlIdent(table.name)}`;
  const empty = emptyView(table.columns, false);
  const manifest = await readCurrentManifest(store, table.layer, table.name);
  if (!manifest || manifest.files.length === 0) {
    await connection.run(`CREATE OR REPLACE VIEW ${view} AS ${empty}`);
    return 0;
  }
  const prefix = versionPrefix(table.layer, table.name, manifest.version);
  const label = `${table.layer}.${table.name}`;
  const outside = manifest.files.find((f) => !f.key.startsWith(prefix));
  if (outside) throw new UnreadableTableVersionError(label, manifest.version, outside.key, `is not under the version's prefix ${prefix}`);
  const stage = await store.stage(prefix);
  staged.push(stage);
  const paths: string[] = [];
  for (const file of manifest.files) {
    const path = join(stage.dir, file.key.slice(prefix.length));
    await access(path).catch((error: unknown) => {
      throw new UnreadableTableVersionError(label, manifest.version, file.key, "is missing from the lake", { cause: error });
    });
    paths.push(path);
  }
  // hive_partitioning off: the `v=<version>` folder is not a column.
  const files = `[${paths.map(sqlLiteral).join(", ")}]`;
  await connection.run(`CREATE OR REPLACE VIEW ${view} AS ${empty} UNION ALL BY NAME SELECT * FROM read_parquet(${files}, hive_partitioning = false, union_by_name = true)`);
  return paths.length;
}
