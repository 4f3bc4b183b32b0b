/**
 * Writing a table version: DuckDB COPYs a query's result as ZSTD Parquet (split at 256 MB) into a temp directory,
 * and the files go to the lake under `<layer>/<table>/v=<version>/`. Publishing (the switch) is the caller's next step.
 * The two halves are also separate (`writeLocalParquet`, then `putVersion`), so a caller can check the written
 * rows (e.g. quality expectations over `read_parquet` of the files) before anything reaches the lake.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LakeStore } from "../lake";
import { newVersionId, versionPrefix, type TableLayer, type TableManifest } from "./layout";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";


export interface WrittenVersion {
  version: string;
  rows: number;
  files: TableManifest["files"];
}

/** Parquet files a query was copied to, on local disk, not yet in the lake. */
export interface LocalParquet {
  rows: number;
  /** The files' paths, sorted (`…/part-0.parquet`, …). */
  paths: string[];
  /** Removes the files. */
  cleanup(): Promise<void>;
}

/** Where a version goes: the table's next version, or `keyPrefix` instead (e.g. quarantine, tombstones). */
export interface VersionTarget {
  lake: LakeStore;
  layer: TableLayer;
  table: string;
  now: Date;
  /** Write under this prefix instead of the table's next version (e.g. quarantine, tombstones). */
  keyPrefix?: string;
  /** The version id to write (`nextVersionId`); a new one when not given. */
  version?: string;
}

/**
 * A new version id at `now` (a random suffix keeps two runs in the same second apart).
 *
 * @example nextVersionId(new Date("2026-11-21T12:45:01.123Z")) // "20261121T124501123Z-3f9a" (the suffix is random)
 */
export function nextVersionId(now: Date): string {
  return newVersionId(now, Math.random().toString(16).slice(2, 6));
}

/**
 * The COPY options of every table version: ZSTD, files split at 256 MB, DuckDB's default row groups (122,880 rows).
 * The silver benchmark's baseline writes with the same options, so its ratio shows the merge's own cost.
 */
export const VERSION_COPY_OPTIONS = "FORMAT PARQUET, COMPRESSION ZSTD, FILE_SIZE_BYTES '256MB', FILENAME_PATTERN 'part-{i}'";

/**
 * @example const local = await writeLocalParquet(conn, "SELECT …"); // { rows: 215, paths: ["/tmp/…/part-0.parquet"], cleanup }
 */
export async function writeLocalParquet(conn: DuckDBConnection, sql: string): Promise<LocalParquet> {
  const out = await mkdtemp(join(tmpdir(), "tributary-version-"));
  const cleanup = () => rm(out, { recursive: true, force: true });
  try {
    const copied = await conn.runAndReadAll(`COPY (${sql}) TO ${sqlLiteral(join(out, "v"))} (${VERSION_COPY_OPTIONS})`);
    const rows = Number(copied.getRows()[0]?.[0] ?? 0);
    const written = await readdir(join(out, "v")).catch(() => [] as string[]);
    const paths = written.filter((n) => n.endsWith(".parquet")).sort(byPartNumber).map((n) => join(out, "v", n));
    return { rows, paths, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** `part-2` before `part-10`. */
function byPartNumber(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}

/**
 * Puts local Parquet files under the table's next version (a new version id) or `keyPrefix`.
 *
 * @example const written = await putVersion(local, { lake, layer: "silver", table: "orders", now }); // { version: "20261121T…", rows, files }
 */
export async function putVersion(local: Omit<LocalParquet, "cleanup">, target: VersionTarget): Promise<WrittenVersion> {
  const version = target.version ?? nextVersionId(target.now);
  const prefix = target.keyPrefix ?? versionPrefix(target.layer, target.table, version);
  const files: TableManifest["files"] = [];
  for (const path of local.paths) {
    const key = `${prefix}${basename(path)}`;
    await target.lake.put(key, createReadStream(path));
    files.push({ key, bytes: (await stat(path)).size });
  }
  return { version, rows: local.rows, files };
}

/**
 * A query's result as a table version in the lake: `writeLocalParquet`, then `putVersion`.
 *
 * @example const written = await copyToVersion(conn, "SELECT …", { lake, layer: "gold", table: "daily_kpis", now });
 */
export async function copyToVersion(conn: DuckDBConnection, sql: string, target: VersionTarget): Promise<WrittenVersion> {
  const local = await writeLocalParquet(conn, sql);
  try {
    return await putVersion(local, target);
  } finally {
    await local.cleanup();
  }
}

/** A DuckDB database for one medallion step: its first connection, more on demand, all closed by `close()`. */
export interface MedallionDuckDb {
  conn: DuckDBConnection;
  /**
   * Another connection to the same database (its tables and views): queries on different connections run side by
   * side, e.g. side work while the quality checks run.
   */
  connect(): Promise<DuckDBConnection>;
  /** Closes the connections; the database is kept for the next step in this process (see `openDuckDb`) or closed. */
  close(): Promise<void>;
}

type Database = Awaited<ReturnType<typeof import("@duckdb/node-api").DuckDBInstance.create>>;

/**
 * One idle database, emptied, kept for the next step in this process: a warm Lambda runs many steps, and creating a
 * database and closing it (which hands its memory back) cost ~70 ms per step, ~8% of a 1M-row merge.
 */
let parked: Database | undefined;

/**
 * A database for one step: the parked one when it is free, else a new one. Steps running at once get one each.
 *
 * @example const duck = await openDuckDb(); try { await duck.conn.run("…"); } finally { await duck.close(); }
 */
export async function openDuckDb(): Promise<MedallionDuckDb> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = parked ?? (await DuckDBInstance.create(":memory:"));
  parked = undefined;
  const connections = [await db.connect()];
  // Times are UTC, as on Lambda, whatever the machine's zone (or a previous step) says: `CAST(ts AS DATE)` buckets
  // gold's days, a TIMESTAMPTZ cast to TIMESTAMP gives silver's newest record time, `strftime` orders stream
  // versions. (ICU loads on first use, so the instance config cannot set it.)
  await connections[0]!.run("SET GLOBAL TimeZone = 'UTC'");
  return {
    conn: connections[0]!,
    connect: async () => {
      const conn = await db.connect();
      connections.push(conn);
      return conn;
    },
    close: async () => {
      for (const conn of connections) conn.closeSync();
      if (!parked && (await emptied(db))) parked = db;
      else db.closeSync();
    },
  };
}

/** Drops every view and table a step made, so the next one starts from an empty catalog; false if that failed. */
async function emptied(db: Database): Promise<boolean> {
  const conn = await db.connect();
  try {
    const made = await conn.runAndReadAll(
      "SELECT 'VIEW', schema_name, view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary UNION ALL SELECT 'TABLE', schema_name, table_name FROM duckdb_tables() WHERE NOT internal AND NOT temporary",
    );
    for (const [kind, schema, name] of made.getRows()) await conn.run(`DROP ${String(kind)} ${sqlIdent(String(schema))}.${sqlIdent(String(name))}`);
    // Anything else a step made (a macro, a sequence, a schema, a type, an attached database) is not cleaned up here:
    // such a database is closed rather than handed on.
    const left = await conn.runAndReadAll(
      "SELECT (SELECT count(*) FROM duckdb_functions() WHERE NOT internal) + (SELECT count(*) FROM duckdb_sequences()) + (SELECT count(*) FROM duckdb_schemas() WHERE NOT internal) + (SELECT count(*) FROM duckdb_types() WHERE NOT internal) + (SELECT count(*) FROM duckdb_databases() WHERE NOT internal AND database_name <> current_database())",
    );
    return Number(left.getRows()[0]?.[0] ?? 1) === 0;
  } catch {
    return false;
  } finally {
    conn.closeSync();
  }
}
