/** Reads Parquet back through DuckDB in tests: an independent reader, so a round trip proves the files are right. */
import { writeFile } from "node:fs/promises";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

let connection: Promise<DuckDBConnection> | undefined;

async function connect(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(":memory:").then(async (db) => {
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    return c;
  });
  return connection;
}

/** Runs SQL and returns plain row objects (bigints as bigint; use casts in SQL for dates, decimals, timestamps). */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const c = await connect();
  return (await c.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

/** Writes bytes to a file and returns a SQL string literal of its path. */
export async function parquetFile(path: string, bytes: Uint8Array): Promise<string> {
  await writeFile(path, bytes);
  return sqlString(path);
}

export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
