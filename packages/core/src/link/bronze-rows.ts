/**
 * Rows of announced bronze files, read with DuckDB from local copies (no httpfs offline; the same code on
 * Lambda, where the copies go to /tmp). One DuckDB instance per container, reused across invocations.
 */
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBInstance } from "@duckdb/node-api";
import type { LakeStore } from "../lake";
import { sqlLiteral } from "../lake/sql-text";

let instance: Promise<DuckDBInstance> | undefined;

/** One instance per container; a connection per read (announcements of one batch are read concurrently). */
async function duckdb(): Promise<DuckDBInstance> {
  instance ??= import("@duckdb/node-api").then(({ DuckDBInstance }) => DuckDBInstance.create(":memory:"));
  return instance;
}


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
    const conn = await (await duckdb()).connect();
    try {
      const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet([${paths.map(sqlLiteral).join(", ")}], union_by_name = true, hive_partitioning = false)`);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      conn.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
