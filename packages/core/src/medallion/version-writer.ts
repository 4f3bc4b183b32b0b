/**
 * Writing a table version: DuckDB COPYs a query's result as ZSTD Parquet (split at 256 MB) into a temp directory,
 * and the files go to the lake under `<layer>/<table>/v=<version>/`. Publishing (the switch) is the caller's next step.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LakeStore } from "../lake";
import { newVersionId, versionPrefix, type TableLayer, type TableManifest } from "./layout";
import { sqlLiteral } from "../lake/sql-text";


export interface WrittenVersion {
  version: string;
  rows: number;
  files: TableManifest["files"];
}

/**
 * @example const written = await copyToVersion(conn, "SELECT …", { lake, layer: "gold", table: "daily_kpis", now });
 */
export async function copyToVersion(
  conn: DuckDBConnection,
  sql: string,
  target: { lake: LakeStore; layer: TableLayer; table: string; now: Date; /** Write under this prefix instead of the table's next version (e.g. quarantine). */ keyPrefix?: string },
): Promise<WrittenVersion> {
  const out = await mkdtemp(join(tmpdir(), `tributary-${target.layer}-`));
  try {
    const copied = await conn.runAndReadAll(`COPY (${sql}) TO ${sqlLiteral(join(out, "v"))} (FORMAT PARQUET, COMPRESSION ZSTD, FILE_SIZE_BYTES '256MB', FILENAME_PATTERN 'part-{i}')`);
    const rows = Number(copied.getRows()[0]?.[0] ?? 0);
    const version = newVersionId(target.now, Math.random().toString(16).slice(2, 6));
    const written = await readdir(join(out, "v")).catch(() => [] as string[]);
    const files: TableManifest["files"] = [];
    for (const name of written.filter((n) => n.endsWith(".parquet")).sort()) {
      const key = `${target.keyPrefix ?? versionPrefix(target.layer, target.table, version)}${name}`;
      const path = join(out, "v", name);
      await target.lake.put(key, createReadStream(path));
      files.push({ key, bytes: (await stat(path)).size });
    }
    return { version, rows, files };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** A DuckDB connection for one medallion step, closed by `close()`. */
export async function openDuckDb(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      db.closeSync();
    },
  };
}
