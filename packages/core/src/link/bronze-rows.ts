/**
 * Rows of announced bronze files, read with DuckDB from local copies (no httpfs offline; the same code on
 * Lambda, where the copies go to /tmp). One DuckDB instance per container, reused across invocations.
 */
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LakeStore } from "../lake";

let connection: Promise<DuckDBConnection> | undefined;

async function duckdb(): Promise<DuckDBConnection> {
  connection ??= (async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return conn;
  })();
  return connection;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * JSON-friendly rows (bigint and decimal as exact text, timestamps as `2026-10-01 08:00:00+00`) of bronze files.
 *
 * @example const rows = await readBronzeRows(ports.lake, announcement.files);
 */
export async function readBronzeRows(lake: LakeStore, keys: string[]): Promise<Record<string, unknown>[]> {
  if (keys.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), "tributary-link-"));
  try {
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      const path = join(dir, `${i}.parquet`);
      await writeFile(path, await lake.get(key));
      paths.push(path);
    }
    const conn = await duckdb();
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet([${paths.map(literal).join(", ")}], union_by_name = true, hive_partitioning = false)`);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
