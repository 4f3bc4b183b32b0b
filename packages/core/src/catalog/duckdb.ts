/**
 * DuckDB over the lake with the same names analysts use in Athena: databases `bronze`, `silver`, `gold` and
 * `quarantine`, one table per dataset. Views read the lake's Parquet through the LakeStore (staged locally —
 * DuckDB's httpfs cannot be installed offline); a dataset with no files yet is a typed, empty view.
 */
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { datasets, duckdbType, QUARANTINE_COLUMNS, UNROUTED_RECORDS, type Column, type TributaryConfig } from "../config";
import type { LakeStore, StagedPrefix } from "../lake";
import { datasetPrefix } from "../lake/keys";

export const DATABASES = ["bronze", "silver", "gold", "quarantine"] as const;

export interface LakeQuery {
  connection: DuckDBConnection;
  /** Runs SQL and returns JSON-safe rows (timestamps as ISO text, decimals and bigints as exact strings). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** The views that were created, `database.table` → number of Parquet files behind it. */
  tables: Record<string, number>;
  close(): Promise<void>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

function emptyView(columns: Column[]): string {
  const cols = columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${quote(c.name)}`);
  return `SELECT ${[...cols, "CAST(NULL AS DATE) AS dt", "CAST(NULL AS INTEGER) AS hour"].join(", ")} WHERE false`;
}

async function countParquet(store: LakeStore, prefix: string): Promise<number> {
  let n = 0;
  for await (const object of store.list(prefix)) if (object.key.endsWith(".parquet")) n += 1;
  return n;
}

/**
 * @example
 * const lake = await openLakeQuery(store, config);
 * await lake.query("SELECT count(*) AS n FROM bronze.user_events"); // [{ n: "42" }]
 */
export async function openLakeQuery(store: LakeStore, config: TributaryConfig): Promise<LakeQuery> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run("SET TimeZone = 'UTC'");
  for (const database of DATABASES) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${database}`);
  const staged: StagedPrefix[] = [];
  const tables: Record<string, number> = {};
  const views = [
    ...datasets(config).flatMap((d) => [{ dataset: d, layer: "bronze" as const }, { dataset: d, layer: "quarantine" as const }]),
    { dataset: UNROUTED_RECORDS, layer: "quarantine" as const },
  ];
  for (const { dataset, layer } of views) {
    const prefix = datasetPrefix(dataset, layer);
    const files = await countParquet(store, prefix);
    const view = `${layer}.${quote(dataset.name)}`;
    tables[`${layer}.${dataset.name}`] = files;
    const columns = layer === "bronze" ? dataset.columns : QUARANTINE_COLUMNS;
    if (files === 0) {
      await connection.run(`CREATE OR REPLACE VIEW ${view} AS ${emptyView(columns)}`);
      continue;
    }
    const stage = await store.stage(prefix);
    staged.push(stage);
    const glob = join(stage.dir, "**", "*.parquet");
    // union_by_name: files written before a column was added still read; hour comes back as text from the path.
    await connection.run(
      `CREATE OR REPLACE VIEW ${view} AS SELECT * REPLACE (CAST(hour AS INTEGER) AS hour) FROM read_parquet(${literal(glob)}, hive_partitioning = true, union_by_name = true)`,
    );
  }
  return {
    connection,
    tables,
    query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
    close: async () => {
      connection.closeSync();
      db.closeSync();
      for (const stage of staged) await stage.cleanup();
    },
  };
}

