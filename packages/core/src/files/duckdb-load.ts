/**
 * DuckDB's part of the DuckDB path: the pieces of a staged CSV (see `csv-staging.ts`) → bronze Parquet per hour
 * and piece, and one quarantine Parquet file, on local disk, plus the link keys `record.ingested` carries.
 * Nothing reaches the lake here; `duckdb-ingest.ts` uploads the files.
 *
 * DuckDB runs with a memory limit and spills past it to a temp directory beside the staged pieces, uses every core
 * but one while Node is still staging (measured on the 2 GiB bench file: the same time as every core, with ~25 MB
 * less peak memory) and every core after, and may write rows out of order (`preserve_insertion_order = false`:
 * row numbers travel in the data, so order carries no meaning, and keeping it would cost memory).
 *
 * Before anything is uploaded, DuckDB's reading is checked against the scanner's: it must have read exactly the
 * staged rows and rejected none. If not, a `DuckDbDisagreementError` says how, and the caller falls back to the
 * streaming path rather than land something the streaming path would not.
 */
import { readdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Dataset, LinkKey } from "../config";
import { hasHashedLinkValue, linkKeysOf, MAX_ANNOUNCED_LINK_RECORDS, type LandedRecord } from "../ingest";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";
import type { StagedCsv, StagedPiece } from "./csv-staging";
import { bronzeCopySql, HOUR_COLUMN, QUARANTINE_PARTITION, quarantineCopySql, type BronzeLineage } from "./duckdb-bronze-sql";
import { VALUE_MACROS } from "./duckdb-values-sql";
import { DuckDbDisagreementError } from "./errors";
import { assertBeforeDeadline } from "./limits";

/**
 * DuckDB's memory limit: what its buffer manager may hold before it spills to disk. DuckDB's process memory runs
 * above it (allocator caches, per-thread state), about 90 MB over a bare process for a 32 MiB piece with the
 * settings below; with the Node side this keeps a file-ingest process under 512 MB (issue #5's goal).
 */
export const DUCKDB_MEMORY_LIMIT = "128MB";
/**
 * Rows a partitioned COPY buffers per partition before handing them to the file writer (DuckDB's default is
 * 524,288: per open hour, per thread). Smaller keeps memory, and time under the memory limit, down.
 */
const PARTITION_FLUSH_ROWS = 16_384;

export interface LocalBronzeFile {
  path: string;
  /** Hours since the epoch (UTC) of the partition. */
  hour: number;
}

export interface LocalLoad {
  /** By hour, then in DuckDB's file order. */
  bronze: LocalBronzeFile[];
  quarantine: string | undefined;
  rowsLanded: number;
  rowsQuarantined: number;
  /** Link keys of the landed rows, in row order, unless more rows carried some than an announcement holds. */
  linkRecords: LandedRecord[];
  linkKeysComplete: boolean;
}

export interface LoadSetup {
  delimiter: string;
  quote: string;
  dataset: Dataset;
  linkKeys: Record<string, LinkKey>;
  lineage: BronzeLineage;
  dir: string;
  size: number;
  deadlineOf: () => number | undefined;
}

/**
 * One file's DuckDB session: pieces are loaded one after another as staging completes them (`add`, not awaited),
 * then `finish` checks the reading, writes the quarantine file and reads the link keys.
 *
 * @example
 * const load = await DuckDbLoad.open({ delimiter: ",", quote: '"', dataset, linkKeys, lineage, dir, size, deadlineOf });
 * try {
 *   const staged = await stageCsv({ …, onPiece: (piece) => load.add(piece) });
 *   const local = await load.finish(staged);
 * } finally {
 *   await load.close();
 * }
 */
export class DuckDbLoad {
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** True until staging has ended (`finish`): DuckDB then leaves the other cores to Node's scan. */
  private staging = true;
  private threads: number | undefined;

  private rowsCopied = 0;
  private readonly pieceDirs: string[] = [];

  private constructor(
    private readonly setup: LoadSetup,
    private readonly db: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(setup: LoadSetup): Promise<DuckDbLoad> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:", {
      memory_limit: DUCKDB_MEMORY_LIMIT,
      temp_directory: join(setup.dir, "duckdb-spill"),
      preserve_insertion_order: "false",
    });
    const connection = await db.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run(`SET partitioned_write_flush_threshold = ${PARTITION_FLUSH_ROWS}`);
      for (const macro of VALUE_MACROS) await connection.run(macro);
    } catch (error) {
      connection.closeSync();
      db.closeSync();
      throw error;
    }
    return new DuckDbLoad(setup, db, connection);
  }

  /** Loads a piece into bronze Parquet once the pieces before it are loaded. A failure surfaces at `finish`. */
  add(piece: StagedPiece): void {
    this.queue = this.queue.then(async () => {
      if (this.failure !== undefined) return;
      try {
        const { dataset, lineage, delimiter, quote } = this.setup;
        const outDir = join(this.setup.dir, `bronze-${String(piece.index).padStart(4, "0")}`);
        const shape = { path: piece.path, delimiter, quote, columns: piece.columns, longestLine: piece.longestLine };
        // While staging runs, Node's scan takes a core: DuckDB takes the rest, then all of them for what is left.
        await this.useThreads(this.staging ? Math.max(1, availableParallelism() - 1) : undefined);
        const copied = await this.withDeadline(() => this.connection.runAndReadAll(bronzeCopySql(dataset, shape, lineage, outDir)));
        this.rowsCopied += Number(copied.getRows()[0]?.[0] ?? 0);
        this.pieceDirs.push(outDir);
        // The piece is read: its disk space is freed for the pieces still to come.
        await rm(piece.path, { force: true });
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Waits for every piece, checks DuckDB read what was staged, and writes the quarantine file. */
  async finish(staged: StagedCsv): Promise<LocalLoad> {
    this.staging = false;
    await this.queue;
    if (this.failure !== undefined) throw this.failure;
    const { connection } = this;
    const { dataset, lineage, dir } = this.setup;
    // DuckDB records one error per missing column: count rows, not errors.
    const rejected = await scalar(connection, "SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM reject_errors)");
    if (rejected > 0 || this.rowsCopied !== staged.rowsStaged) {
      const example = rejected > 0 ? await scalar(connection, "SELECT min(line) FROM reject_errors") : undefined;
      throw new DuckDbDisagreementError(
        lineage.key,
        `DuckDB read ${this.rowsCopied} rows of the ${staged.rowsStaged} staged and rejected ${rejected}${example === undefined ? "" : ` (the first at line ${example} of its piece)`}`,
      );
    }
    const { bronze, refusedInCopy } = await localPartitions(this.pieceDirs);
    const rowsRefusedInCopy = refusedInCopy.length > 0 ? await scalar(connection, `SELECT count(*) FROM read_parquet([${refusedInCopy.map(sqlLiteral).join(", ")}])`) : 0;
    let quarantine: string | undefined;
    if (rowsRefusedInCopy + staged.rowsRefused > 0) {
      quarantine = join(dir, "quarantine.parquet");
      const refusedCsv = staged.rowsRefused > 0 ? { path: staged.refusedPath, longestLine: staged.longestRefusedLine } : undefined;
      const sql = quarantineCopySql(dataset, { refusedInCopy, refusedCsv }, lineage, quarantine);
      await this.withDeadline(() => connection.run(sql));
    }
    const rowsLanded = this.rowsCopied - rowsRefusedInCopy;
    const links = rowsLanded > 0 ? await linkRecordsOf(connection, dataset, this.setup.linkKeys, bronze) : { records: [], complete: true };
    return {
      bronze,
      quarantine,
      rowsLanded,
      rowsQuarantined: rowsRefusedInCopy + staged.rowsRefused,
      linkRecords: links.records,
      linkKeysComplete: links.complete,
    };
  }

  /** `threads` for the next statement; undefined = DuckDB's default (every core). */
  private async useThreads(threads: number | undefined): Promise<void> {
    if (threads === this.threads) return;
    await this.connection.run(threads === undefined ? "RESET threads" : `SET threads = ${threads}`);
    this.threads = threads;
  }

  /** Stops what is still running (when staging failed), then closes DuckDB. */
  async close(): Promise<void> {
    this.failure ??= new Error("files: the DuckDB load was closed");
    this.connection.interrupt();
    await this.queue;
    this.connection.closeSync();
    this.db.closeSync();
  }

  /** Runs a statement, interrupting it when the caller's deadline passes (then refusing the file as too large). */
  private async withDeadline<T>(run: () => Promise<T>): Promise<T> {
    const { lineage, size, deadlineOf } = this.setup;
    assertBeforeDeadline(lineage.key, deadlineOf(), { bytes: size, size });
    const deadline = deadlineOf();
    const timer = deadline === undefined ? undefined : setTimeout(() => this.connection.interrupt(), Math.max(0, deadline - Date.now()));
    try {
      return await run();
    } catch (error) {
      assertBeforeDeadline(lineage.key, deadlineOf(), { bytes: size, size });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
}

/** The COPYs' files: bronze by hour (`__hour=<n>/part-<i>.parquet`), and those of the refused rows' partition. */
async function localPartitions(pieceDirs: string[]): Promise<{ bronze: LocalBronzeFile[]; refusedInCopy: string[] }> {
  const bronze: LocalBronzeFile[] = [];
  const refusedInCopy: string[] = [];
  for (const outDir of pieceDirs) {
    const partitions = await readdir(outDir).catch(() => [] as string[]);
    for (const partition of partitions) {
      const value = partition.slice(`${HOUR_COLUMN}=`.length);
      const files = (await readdir(join(outDir, partition))).filter((f) => f.endsWith(".parquet")).sort(byPartNumber);
      const paths = files.map((f) => join(outDir, partition, f));
      if (value === QUARANTINE_PARTITION) refusedInCopy.push(...paths);
      else for (const path of paths) bronze.push({ path, hour: Number(value) });
    }
  }
  // Stable: within an hour, pieces in order, then DuckDB's file order.
  bronze.sort((a, b) => a.hour - b.hour);
  return { bronze, refusedInCopy };
}

/** `part-2` before `part-10`. */
function byPartNumber(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}

/**
 * The link keys `IngestBatch.land` would have announced for these rows: per row, the clear-text keys (a row linked
 * only by a hashed key, or by none, is left out), read back from the written bronze files — or none, and
 * incomplete, once more than `MAX_ANNOUNCED_LINK_RECORDS` rows carry keys.
 */
async function linkRecordsOf(
  connection: DuckDBConnection,
  dataset: Dataset,
  linkKeys: Record<string, LinkKey>,
  bronze: LocalBronzeFile[],
): Promise<{ records: LandedRecord[]; complete: boolean }> {
  const linked = Object.keys(dataset.linkKeys);
  if (linked.length === 0 || bronze.length === 0) return { records: [], complete: true };
  // Timestamps as their canonical value (µs), which is what the streaming path's String(value) gives.
  const columns = linked.map((name) => {
    const type = dataset.columns.find((c) => c.name === name)?.type;
    return type === "timestamp" ? `epoch_us(${sqlIdent(name)})::VARCHAR AS ${sqlIdent(name)}` : sqlIdent(name);
  });
  const files = `read_parquet([${bronze.map((f) => sqlLiteral(f.path)).join(", ")}])`;
  // A row whose link value starts with a printable ASCII character yields a key, whatever the normalisation: when
  // more rows than an announcement carries have one, the keys are not read (and the count stops there).
  const surelyKeyed = linked.map((name) => `ascii(CAST(${sqlIdent(name)} AS VARCHAR)) BETWEEN 33 AND 126`).join(" OR ");
  const keyed = await scalar(connection, `SELECT count(*) FROM (SELECT 1 FROM ${files} WHERE ${surelyKeyed} LIMIT ${MAX_ANNOUNCED_LINK_RECORDS + 1})`);
  if (keyed > MAX_ANNOUNCED_LINK_RECORDS) return { records: [], complete: false };
  const anyValue = linked.map((name) => `${sqlIdent(name)} IS NOT NULL`).join(" OR ");
  const result = await connection.stream(`SELECT _record_id, _row_number, ${columns.join(", ")} FROM ${files} WHERE ${anyValue}`);
  const records: (LandedRecord & { row: number })[] = [];
  for await (const rows of result.yieldRowObjectJson()) {
    for (const row of rows) {
      const values = row as Record<string, string | number | boolean | null>;
      const keys = linkKeysOf(dataset, linkKeys, values);
      if (Object.keys(keys).length === 0 && !hasHashedLinkValue(dataset, linkKeys, values)) continue;
      if (records.length >= MAX_ANNOUNCED_LINK_RECORDS) return { records: [], complete: false };
      records.push({ recordId: String(values._record_id), keys, row: Number(values._row_number) });
    }
  }
  records.sort((a, b) => a.row - b.row);
  return { records: records.map(({ recordId, keys }) => ({ recordId, keys })), complete: true };
}
