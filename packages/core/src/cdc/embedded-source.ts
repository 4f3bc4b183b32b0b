/**
 * The embedded stand-in source: a PGlite (WASM Postgres) database holding the config's source tables, with a
 * trigger-maintained change log shaped like SQL Server CDC (see `embedded-ddl.ts`). Used when a SQL Server
 * source has no connection string configured, so the whole pipeline runs offline; it implements the same
 * `ChangeSource` port as `SqlServerCdcSource`. Its LSNs are a counter rendered as binary(10) hex.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { Column, Dataset, SqlServerSource } from "../config";
import type { CaptureInstance, ChangeOperation, ChangeRow, ChangeSource, ReadChangesOptions, SnapshotPageOptions } from "./change-source";
import { CDC_SCHEMA_SQL, captureTriggerSql, createTableSql, postgresType, quotedColumn, quotedTable } from "./embedded-ddl";
import { NoCaptureInstanceError, SourceQueryError } from "./errors";
import { counterOfLsn, lsnOfCounter } from "./lsn";

export interface EmbeddedTable {
  /** `schema.table` */
  table: string;
  captureInstance: string;
  columns: Column[];
  primaryKey: string[];
}

export interface OpenEmbeddedSourceOptions {
  /** Directory the database persists in; omit for an in-memory database (tests, benchmarks). */
  dataDir?: string;
  tables: EmbeddedTable[];
}

/** The tables of a SQL Server source as the stand-in creates them (capture instance default `<schema>_<table>`). */
export function embeddedTablesOf(source: SqlServerSource, datasetsOfSource: Dataset[]): EmbeddedTable[] {
  return source.tables.map((t) => ({
    table: t.table,
    captureInstance: t.captureInstance ?? t.table.replace(".", "_"),
    columns: datasetsOfSource.find((d) => d.name === t.name)!.columns.filter((c) => !c.lineage),
    primaryKey: t.primaryKey,
  }));
}

const ANALYZE_EVERY_MS = 5_000;

// A page of changes comes back as a few JSON texts, each an array of CHANGES_PER_CHUNK changes, instead of a row
// per change: PGlite copies every field of every result row into a fresh ArrayBuffer before decoding it, and at
// six fields a change that copying (and the garbage it leaves) cost more than Postgres's query. One JSON.parse per
// chunk is native; chunks keep each text far below V8's string limit even at the largest batch size.
const CHANGES_PER_CHUNK = 1_000;

/** One change as the chunk's JSON holds it; the row image is the captured jsonb, every value text or null. */
type ChangeRecord = [lsn: string, commandId: number, seqval: string, operation: number, row: Record<string, unknown>, commitMicros: string];

/**
 * @example
 * const source = await EmbeddedChangeSource.open({ tables: embeddedTablesOf(config.sources[0], datasets(config)) });
 * await source.db.exec("INSERT INTO dbo.customers (customer_id) VALUES (1)");
 * await source.readChanges((await source.captureInstances("dbo.customers"))[0], { from: { lsn: ZERO_LSN }, to: (await source.maxLsn())!, limit: 100 });
 */
export class EmbeddedChangeSource implements ChangeSource {
  readonly kind = "embedded";
  private readonly keyTypes = new Map<string, string[]>();
  private analyzedAt = 0;

  private constructor(readonly db: PGlite, readonly tables: EmbeddedTable[]) {}

  static async open(options: OpenEmbeddedSourceOptions): Promise<EmbeddedChangeSource> {
    // Loaded on use: Lambda bundles never run the stand-in and keep PGlite (WASM) out as an external.
    const { PGlite } = await import("@electric-sql/pglite");
    const db = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
    const source = new EmbeddedChangeSource(db, options.tables);
    await db.exec(CDC_SCHEMA_SQL);
    for (const t of options.tables) {
      await db.exec(createTableSql(t.table, t.columns, t.primaryKey));
      await db.exec(captureTriggerSql(t.table));
      const existing = await db.query("SELECT 1 FROM cdc.change_tables WHERE source_table = $1", [t.table]);
      if (existing.rows.length === 0) await source.enableCapture(t.table, t.captureInstance);
    }
    return source;
  }

  /** Creates a capture instance over the table's current columns, starting at a fresh LSN (`sp_cdc_enable_table`). */
  async enableCapture(table: string, captureInstance: string): Promise<CaptureInstance> {
    const columns = await this.columnTypes(table);
    const lsn = await this.captureJobTick();
    await this.db.query(
      "INSERT INTO cdc.change_tables (capture_instance, source_table, start_lsn, min_lsn, captured_columns) VALUES ($1, $2, $3, $3, $4)",
      [captureInstance, table, counterOfLsn(lsn).toString(), JSON.stringify(Object.fromEntries(columns))],
    );
    return { name: captureInstance, table, startLsn: lsn, columns: columns.map(([name, sqlType]) => ({ name, sqlType })) };
  }

  /** Drops a capture instance and its changes (`sp_cdc_disable_table`); reading it afterwards fails like SQL Server's "Invalid object name". */
  async disableCapture(captureInstance: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM cdc.changes WHERE capture_instance = $1", [captureInstance]);
      await tx.query("DELETE FROM cdc.change_tables WHERE capture_instance = $1", [captureInstance]);
    });
  }

  /**
   * A schema change the way SQL Server needs it: the column is added, and a second capture instance that
   * captures it starts at the next LSN; the old instance keeps capturing (without the column) until disabled.
   */
  async addColumn(table: string, column: string, type: Column["type"]): Promise<CaptureInstance> {
    const instances = await this.captureInstances(table);
    if (instances.length >= 2) {
      throw new SourceQueryError("addColumn", `${table} already has two capture instances (${instances.map((i) => i.name).join(", ")}); disable the older one first`);
    }
    await this.db.exec(`ALTER TABLE ${quotedTable(table)} ADD COLUMN ${quotedColumn(column)} ${postgresType(type)}`);
    const base = instances[0]?.name.replace(/_v\d+$/, "") ?? table.replace(".", "_");
    return this.enableCapture(table, `${base}_v${Date.now().toString(36)}`);
  }

  /** What SQL Server's capture job does when the log is quiet: an entry that moves the max LSN on. */
  async captureJobTick(): Promise<string> {
    const result = await this.db.query<{ lsn: string }>(
      "INSERT INTO cdc.lsn_time_mapping VALUES (nextval('cdc.lsn_seq'), now(), clock_timestamp(), 0) RETURNING start_lsn::text AS lsn",
    );
    return lsnOfCounter(BigInt(result.rows[0]!.lsn));
  }

  /**
   * CDC cleanup: removes every change and LSN mapping below `lsn`, and raises each capture instance's min LSN
   * to it (SQL Server's retention-based cleanup job, by LSN instead of by time).
   */
  async cleanupBelow(lsn: string): Promise<void> {
    const counter = counterOfLsn(lsn).toString();
    await this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM cdc.changes WHERE start_lsn < $1", [counter]);
      await tx.query("DELETE FROM cdc.lsn_time_mapping WHERE start_lsn < $1", [counter]);
      await tx.query("UPDATE cdc.change_tables SET min_lsn = GREATEST(min_lsn, $1)", [counter]);
    });
  }

  async maxLsn(): Promise<string | undefined> {
    const result = await this.db.query<{ lsn: string | null }>("SELECT max(start_lsn)::text AS lsn FROM cdc.lsn_time_mapping");
    const lsn = result.rows[0]?.lsn;
    return lsn ? lsnOfCounter(BigInt(lsn)) : undefined;
  }

  async commitTimeOf(lsn: string): Promise<bigint | undefined> {
    const result = await this.db.query<{ micros: string }>(
      "SELECT (extract(epoch FROM tran_end_time) * 1000000)::bigint::text AS micros FROM cdc.lsn_time_mapping WHERE start_lsn = $1",
      [counterOfLsn(lsn).toString()],
    );
    const micros = result.rows[0]?.micros;
    return micros === undefined ? undefined : BigInt(micros);
  }

  async incrementLsn(lsn: string): Promise<string> {
    return lsnOfCounter(counterOfLsn(lsn) + 1n);
  }

  async captureInstances(table: string): Promise<CaptureInstance[]> {
    const result = await this.db.query<{ capture_instance: string; start_lsn: string; captured_columns: Record<string, string> }>(
      // Ordered by the numeric column (`ct.`): the output column of the same name is its text, which sorts 19 before 2.
      "SELECT ct.capture_instance, ct.start_lsn::text AS start_lsn, ct.captured_columns FROM cdc.change_tables ct WHERE ct.source_table = $1 ORDER BY ct.start_lsn",
      [table],
    );
    return result.rows.map((r) => ({
      name: r.capture_instance,
      table,
      startLsn: lsnOfCounter(BigInt(r.start_lsn)),
      columns: Object.entries(r.captured_columns).map(([name, sqlType]) => ({ name, sqlType })),
    }));
  }

  async minLsn(captureInstance: string): Promise<string> {
    const result = await this.db.query<{ min_lsn: string }>("SELECT min_lsn::text FROM cdc.change_tables WHERE capture_instance = $1", [captureInstance]);
    const row = result.rows[0];
    if (!row) throw new NoCaptureInstanceError(captureInstance, captureInstance);
    return lsnOfCounter(BigInt(row.min_lsn));
  }

  async readChanges(instance: CaptureInstance, options: ReadChangesOptions): Promise<ChangeRow[]> {
    await this.minLsn(instance.name); // a dropped instance fails here, like SQL Server's "Invalid object name"
    await this.refreshStatistics();
    const from = options.from;
    const position = "op" in from ? [counterOfLsn(from.lsn), from.commandId, counterOfLsn(from.seqval), from.op] : [counterOfLsn(from.lsn), -1, -1n, 0];
    // The inner query is the page (position order, LIMIT); it is numbered in that order and cut into chunks.
    const result = await this.db.query<[chunk: string]>(
      `SELECT json_agg(json_build_array(p.lsn::text, p.command_id, p.seqval::text, p.operation, p.row,
              (extract(epoch FROM p.tran_end_time) * 1000000)::bigint::text) ORDER BY p.n)::text
       FROM (SELECT page.*, row_number() OVER (ORDER BY page.lsn, page.command_id, page.seqval, page.operation) AS n
         FROM (SELECT c.start_lsn AS lsn, c.command_id, c.seqval, c.operation, c.row, m.tran_end_time
           FROM cdc.changes c JOIN cdc.lsn_time_mapping m ON m.start_lsn = c.start_lsn
           WHERE c.capture_instance = $1 AND c.start_lsn <= $2 AND (c.start_lsn, c.command_id, c.seqval, c.operation) >= ($3, $4, $5, $6)
           ORDER BY c.start_lsn, c.command_id, c.seqval, c.operation LIMIT $7) page) p
       GROUP BY (p.n - 1) / ${CHANGES_PER_CHUNK} ORDER BY (p.n - 1) / ${CHANGES_PER_CHUNK}`,
      [instance.name, counterOfLsn(options.to).toString(), ...position.map(String), options.limit],
      { rowMode: "array" },
    );
    const changes: ChangeRow[] = [];
    let lastLsn = "";
    let lsn = "";
    let commit = 0n;
    for (const [chunk] of result.rows) {
      for (const [lsnCounter, commandId, seqval, operation, values, commitMicros] of JSON.parse(chunk) as ChangeRecord[]) {
        // Rows of one transaction share their LSN and commit time: converted once per transaction.
        if (lsnCounter !== lastLsn) {
          lastLsn = lsnCounter;
          lsn = lsnOfCounter(BigInt(lsnCounter));
          commit = BigInt(commitMicros);
        }
        changes.push({ lsn, commandId, seqval: lsnOfCounter(BigInt(seqval)), op: operation as ChangeOperation, commitMicros: commit, values });
      }
    }
    return changes;
  }

  async snapshotPage(table: string, options: SnapshotPageOptions): Promise<Record<string, unknown>[]> {
    const keys = options.primaryKey.map(quotedColumn);
    const types = await this.keyTypesOf(table, options.primaryKey);
    const after = options.after
      ? `WHERE (${keys.join(", ")}) > (${options.after.map((_, i) => `$${i + 1}::${types[i]}`).join(", ")})`
      : "";
    const params = [...(options.after ?? []).map((v) => (v === null ? null : String(v))), options.limit];
    const result = await this.db.query<{ row: Record<string, unknown> }>(
      `SELECT cdc.row_image(to_jsonb(t), to_jsonb(t)) AS row FROM ${quotedTable(table)} t ${after} ORDER BY ${keys.join(", ")} LIMIT $${params.length}`,
      params,
    );
    return result.rows.map((r) => r.row);
  }

  async countRows(table: string): Promise<number> {
    const result = await this.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${quotedTable(table)}`);
    return result.rows[0]!.n;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * PGlite runs no autovacuum, so the planner's row estimates for the change table stay at "empty" and it sorts
   * the whole backlog for every batch instead of walking the primary key (10× slower at 150k rows). Statistics
   * are refreshed at most every few seconds.
   */
  private async refreshStatistics(): Promise<void> {
    if (Date.now() - this.analyzedAt < ANALYZE_EVERY_MS) return;
    await this.db.exec("ANALYZE cdc.changes; ANALYZE cdc.lsn_time_mapping;");
    this.analyzedAt = Date.now();
  }

  private async columnTypes(table: string): Promise<[string, string][]> {
    const result = await this.db.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [quotedTable(table)],
    );
    return result.rows.map((r) => [r.name, r.type]);
  }

  private async keyTypesOf(table: string, primaryKey: string[]): Promise<string[]> {
    const cacheKey = `${table}:${primaryKey.join(",")}`;
    let types = this.keyTypes.get(cacheKey);
    if (!types) {
      const all = new Map(await this.columnTypes(table));
      types = primaryKey.map((k) => all.get(k) ?? "text");
      this.keyTypes.set(cacheKey, types);
    }
    return types;
  }
}
