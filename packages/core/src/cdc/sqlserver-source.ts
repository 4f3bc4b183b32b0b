/**
 * The SQL Server adapter of the `ChangeSource` port: reads SQL Server CDC through `mssql` the way Debezium's
 * "direct" mode does — straight from the change table `cdc.<capture instance>_CT` joined to
 * `cdc.lsn_time_mapping`, in (start_lsn, command_id, seqval, operation) order.
 * https://learn.microsoft.com/sql/relational-databases/track-changes/about-change-data-capture-sql-server
 *
 * Requires SQL Server 2016+ (`AT TIME ZONE`) and the `__$command_id` column of change tables (SQL Server 2012+);
 * older servers are out of scope. Values are selected as exact text (see `sqlserver-values.ts`); every value
 * reaches the SQL as a typed parameter, and the only names written into SQL are validated or bracket-quoted.
 */
import sql from "mssql";
import { parseTimestampMicros } from "../config/time";
import type { CaptureInstance, ChangeOperation, ChangeRow, ChangeSource, ReadChangesOptions, SnapshotPageOptions } from "./change-source";
import { NoCaptureInstanceError, SourceQueryError, SourceValueError } from "./errors";
import { lsnBytes, toLsn, ZERO_LSN } from "./lsn";
import { canonicalOf, exactSelectExpression, keyParameterSql, keyText, keyTypeOf } from "./sqlserver-values";

/** One request of an mssql pool: what the adapter uses of `sql.Request`. */
export interface MssqlRequest {
  input(name: string, type: sql.ISqlType, value: unknown): MssqlRequest;
  query(command: string): Promise<{ recordset: Record<string, unknown>[] }>;
}

/** What the adapter needs of a connection pool; `sql.ConnectionPool` satisfies it, tests hand a fake. */
export interface MssqlPool {
  request(): MssqlRequest;
  close(): Promise<unknown>;
}

export interface SqlServerCdcSourceOptions {
  pool: MssqlPool;
  /**
   * Windows time zone name of the server's clock (`sys.time_zone_info`), e.g. `W. Europe Standard Time`:
   * `cdc.lsn_time_mapping.tran_end_time` is server-local time. Default `UTC`.
   */
  serverTimeZone?: string;
}

interface SourceColumn {
  /** The column's name as the server spells it (case preserved for case-sensitive collations). */
  name: string;
  sqlType: string;
  /** The type to cast a keyset parameter to, e.g. `decimal(10,2)`; undefined when the type cannot be a key here. */
  keyType?: string;
}

// @types/mssql declares Binary without a length, but mssql's runtime takes one ({ type: sql.Binary, length: 10 })
// and tedious then declares the parameter `binary(10)`, the type CDC's LSN columns and functions use.
const LSN_TYPE = (sql.Binary as unknown as (length: number) => sql.ISqlType)(10);
const NAME_TYPE = sql.NVarChar(128); // sysname
const TEXT_TYPE = sql.NVarChar(sql.MAX);
const INT_TYPE = sql.Int();
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$#@]{0,127}$/;
const INVALID_OBJECT_NAME = 208;
const INVALID_LSN_RANGE = 313;

/** `tran_end_time` (server-local `datetime`) → UTC ISO text. */
const COMMIT_TIME_UTC = "CONVERT(varchar(40), (m.tran_end_time AT TIME ZONE @tz) AT TIME ZONE 'UTC', 127)";

/**
 * @example
 * const source = new SqlServerCdcSource({ pool: await new sql.ConnectionPool(config).connect() });
 * const [instance] = await source.captureInstances("dbo.orders");
 * const rows = await source.readChanges(instance, { from: { lsn: instance.startLsn }, to: (await source.maxLsn())!, limit: 1000 });
 */
export class SqlServerCdcSource implements ChangeSource {
  readonly kind = "sqlserver";
  private readonly pool: MssqlPool;
  private readonly serverTimeZone: string;
  /** Capture instance → its table and captured columns as the server spells them, from `captureInstances`. */
  private readonly instances = new Map<string, { table: string; columns: SourceColumn[] }>();
  private readonly tableColumns = new Map<string, SourceColumn[]>();

  constructor(options: SqlServerCdcSourceOptions) {
    this.pool = options.pool;
    this.serverTimeZone = options.serverTimeZone ?? "UTC";
  }

  async maxLsn(): Promise<string | undefined> {
    const [row] = await this.query("maxLsn", "SELECT CONVERT(varchar(20), sys.fn_cdc_get_max_lsn(), 2) AS max_lsn", {});
    const lsn = row?.max_lsn;
    return typeof lsn === "string" && toLsn(lsn) !== ZERO_LSN ? toLsn(lsn) : undefined;
  }

  async commitTimeOf(lsn: string): Promise<bigint | undefined> {
    const rows = await this.query(
      `commitTimeOf(${lsn})`,
      `SELECT ${COMMIT_TIME_UTC} AS commit_time FROM cdc.lsn_time_mapping AS m WHERE m.start_lsn = @lsn`,
      { lsn: [LSN_TYPE, lsnBytes(lsn)], tz: [NAME_TYPE, this.serverTimeZone] },
    );
    const text = rows[0]?.commit_time;
    if (text === undefined || text === null) return undefined;
    return commitMicrosOf(text);
  }

  async incrementLsn(lsn: string): Promise<string> {
    const [row] = await this.query(`incrementLsn(${lsn})`, "SELECT CONVERT(varchar(20), sys.fn_cdc_increment_lsn(@lsn), 2) AS lsn", {
      lsn: [LSN_TYPE, lsnBytes(lsn)],
    });
    if (typeof row?.lsn !== "string") throw new SourceQueryError(`incrementLsn(${lsn})`, "sys.fn_cdc_increment_lsn returned no LSN");
    return toLsn(row.lsn);
  }

  async captureInstances(table: string): Promise<CaptureInstance[]> {
    const operation = `captureInstances(${table})`;
    tableNameOf(table, operation);
    const rows = await this.query(
      operation,
      `SELECT ct.capture_instance, CONVERT(varchar(20), ct.start_lsn, 2) AS start_lsn, cc.column_name, cc.column_type
       FROM cdc.change_tables AS ct JOIN cdc.captured_columns AS cc ON cc.object_id = ct.object_id
       WHERE ct.source_object_id = OBJECT_ID(@table)
       ORDER BY ct.create_date, ct.capture_instance, cc.column_ordinal`,
      { table: [TEXT_TYPE, table] },
    );
    const found = new Map<string, { startLsn: string | undefined; columns: SourceColumn[] }>();
    for (const row of rows) {
      const name = String(row.capture_instance);
      const entry = found.get(name) ?? { startLsn: typeof row.start_lsn === "string" ? toLsn(row.start_lsn) : undefined, columns: [] };
      entry.columns.push({ name: String(row.column_name), sqlType: String(row.column_type) });
      found.set(name, entry);
    }
    // start_lsn stays NULL until the capture job has scanned past the instance's creation. A second instance in
    // that state is not readable yet (the first one still holds everything), so it is left for a later poll;
    // a table's only instance is read from the beginning.
    const established = [...found].filter(([, e]) => e.startLsn !== undefined);
    const usable = established.length > 0 ? established : [...found];
    return usable.map(([name, e]) => {
      this.instances.set(name, { table, columns: e.columns });
      return { name, table, startLsn: e.startLsn ?? ZERO_LSN, columns: e.columns.map((c) => ({ name: c.name.toLowerCase(), sqlType: c.sqlType })) };
    });
  }

  async minLsn(captureInstance: string): Promise<string> {
    const [row] = await this.query(`minLsn(${captureInstance})`, "SELECT CONVERT(varchar(20), sys.fn_cdc_get_min_lsn(@ci), 2) AS min_lsn", {
      ci: [NAME_TYPE, captureInstance],
    });
    const lsn = typeof row?.min_lsn === "string" ? toLsn(row.min_lsn) : ZERO_LSN;
    // All zeros: the instance does not exist, or this login may not read its change data (gating role, SELECT).
    if (lsn === ZERO_LSN) throw new NoCaptureInstanceError(this.instances.get(captureInstance)?.table ?? "(unknown table)", captureInstance);
    return lsn;
  }

  async readChanges(instance: CaptureInstance, options: ReadChangesOptions): Promise<ChangeRow[]> {
    const operation = `readChanges(${instance.name})`;
    const changeTable = `cdc.${plainIdentifier(`${instance.name}_CT`, operation)}`;
    const columns = this.instances.get(instance.name)?.columns ?? instance.columns; // lower-cased names suit the usual case-insensitive collations
    const inputs: QueryInputs = { limit: [INT_TYPE, positiveLimit(options.limit, operation)], to: [LSN_TYPE, lsnBytes(options.to)], tz: [NAME_TYPE, this.serverTimeZone] };
    const from = options.from;
    inputs.fromLsn = [LSN_TYPE, lsnBytes(from.lsn)];
    let fromPredicate = "ct.__$start_lsn >= @fromLsn";
    if ("seqval" in from) {
      // Inclusive resume inside a transaction: at or after (lsn, command_id, seqval, operation). The leading
      // `>= @fromLsn` keeps an index seek on the change table's clustered key.
      Object.assign(inputs, { fromCommand: [INT_TYPE, from.commandId], fromSeqval: [LSN_TYPE, lsnBytes(from.seqval)], fromOp: [INT_TYPE, from.op] });
      fromPredicate += ` AND (ct.__$start_lsn > @fromLsn
        OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id > @fromCommand)
        OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id = @fromCommand AND ct.__$seqval > @fromSeqval)
        OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id = @fromCommand AND ct.__$seqval = @fromSeqval AND ct.__$operation >= @fromOp))`;
    }
    // `__$update_mask` is not read: after images (op 4) and inserts are complete. SQL Server leaves NULL in
    // before images (op 3) for unchanged (max) columns, in op 1 and 3 for text/ntext/image, and always in
    // computed columns (cdc.<capture_instance>_CT, "Large object data types").
    const selectList = columns.map((c) => `${exactSelectExpression(`ct.${bracketed(c.name)}`, c.sqlType)} AS ${bracketed(c.name)}`);
    const rows = await this.query(
      operation,
      `SELECT TOP (@limit) CONVERT(varchar(20), ct.__$start_lsn, 2) AS [__$start_lsn], ct.__$command_id AS [__$command_id],
         CONVERT(varchar(20), ct.__$seqval, 2) AS [__$seqval], ct.__$operation AS [__$operation], ${COMMIT_TIME_UTC} AS [__$commit_time]${selectList.map((s) => `,\n         ${s}`).join("")}
       FROM ${changeTable} AS ct JOIN cdc.lsn_time_mapping AS m ON m.start_lsn = ct.__$start_lsn
       WHERE ct.__$start_lsn <= @to AND ${fromPredicate}
       ORDER BY ct.__$start_lsn, ct.__$command_id, ct.__$seqval, ct.__$operation`,
      inputs,
      instance,
    );
    return rows.map((row) => ({
      lsn: toLsn(row["__$start_lsn"]),
      commandId: Number(row["__$command_id"] ?? 0),
      seqval: toLsn(row["__$seqval"]),
      op: operationOf(row["__$operation"]),
      commitMicros: commitMicrosOf(row["__$commit_time"]),
      values: valuesOf(row, columns),
    }));
  }

  async snapshotPage(table: string, options: SnapshotPageOptions): Promise<Record<string, unknown>[]> {
    const operation = `snapshotPage(${table})`;
    const { schema, name } = tableNameOf(table, operation);
    const columns = await this.columnsOfTable(schema, name, operation);
    const keys = options.primaryKey.map((k) => {
      const column = columns.find((c) => c.name.toLowerCase() === k.toLowerCase());
      if (!column) throw new SourceQueryError(operation, `primary key column ${k} is not a column of ${table} (${columns.map((c) => c.name).join(", ")})`);
      if (!column.keyType) throw new SourceQueryError(operation, `cannot page ${table} by column ${k} of type ${column.sqlType}`);
      return column;
    });
    const inputs: QueryInputs = { limit: [INT_TYPE, positiveLimit(options.limit, operation)] };
    let where = "";
    if (options.after) {
      if (options.after.length !== keys.length) throw new SourceQueryError(operation, `after has ${options.after.length} values for a ${keys.length}-column key`);
      // (k1 > a1) OR (k1 = a1 AND k2 > a2) …: SQL Server has no row-value comparison. Keys travel as text and
      // are cast to the column's own type, so the comparison is the column's (and the index can be used).
      const key = keys.map((k, i) => ({ ref: bracketed(k.name), param: keyParameterSql(`a${i}`, k.keyType!) }));
      options.after.forEach((v, i) => {
        if (v === null || v === undefined) throw new SourceQueryError(operation, `after holds no value for key column ${keys[i]!.name}`);
        inputs[`a${i}`] = [TEXT_TYPE, keyText(v)];
      });
      where = `WHERE ${key.map((_, i) => `(${[...key.slice(0, i).map((p) => `${p.ref} = ${p.param}`), `${key[i]!.ref} > ${key[i]!.param}`].join(" AND ")})`).join("\n  OR ")}`;
    }
    // Read committed: a row updated between pages can be seen twice; downstream dedupes on the key.
    const rows = await this.query(
      operation,
      `SELECT TOP (@limit) ${columns.map((c) => `${exactSelectExpression(bracketed(c.name), c.sqlType)} AS ${bracketed(c.name)}`).join(", ")}
       FROM ${plainIdentifier(schema, operation)}.${plainIdentifier(name, operation)}
       ${where}
       ORDER BY ${keys.map((k) => bracketed(k.name)).join(", ")}`,
      inputs,
    );
    return rows.map((row) => valuesOf(row, columns));
  }

  /** The row count the catalog keeps (`sys.partitions`, heap or clustered index): an estimate, free of DMV permissions. */
  async countRows(table: string): Promise<number> {
    const operation = `countRows(${table})`;
    tableNameOf(table, operation);
    const [row] = await this.query(operation, "SELECT SUM(p.rows) AS n FROM sys.partitions AS p WHERE p.object_id = OBJECT_ID(@table) AND p.index_id IN (0, 1)", {
      table: [TEXT_TYPE, table],
    });
    if (row?.n === null || row?.n === undefined) throw new SourceQueryError(operation, `table ${table} not found (or this login cannot see it)`);
    return Number(row.n);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async columnsOfTable(schema: string, name: string, operation: string): Promise<SourceColumn[]> {
    const cacheKey = `${schema}.${name}`.toLowerCase();
    const cached = this.tableColumns.get(cacheKey);
    if (cached) return cached;
    const rows = await this.query(
      operation,
      `SELECT COLUMN_NAME AS column_name, DATA_TYPE AS data_type, CHARACTER_MAXIMUM_LENGTH AS max_length,
         NUMERIC_PRECISION AS numeric_precision, NUMERIC_SCALE AS numeric_scale, DATETIME_PRECISION AS datetime_precision
       FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @schema AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION`,
      { schema: [NAME_TYPE, schema], table: [NAME_TYPE, name] },
    );
    if (rows.length === 0) throw new SourceQueryError(operation, `table ${schema}.${name} not found (or this login cannot see it)`);
    const columns = rows.map((r) => ({ name: String(r.column_name), sqlType: String(r.data_type), keyType: keyTypeOf(r) }));
    this.tableColumns.set(cacheKey, columns);
    return columns;
  }

  private async query(operation: string, command: string, inputs: QueryInputs, instance?: CaptureInstance): Promise<Record<string, unknown>[]> {
    const request = this.pool.request();
    for (const [name, [type, value]] of Object.entries(inputs)) request.input(name, type, value);
    try {
      return (await request.query(command)).recordset;
    } catch (error) {
      throw driverError(operation, error, instance);
    }
  }
}

type QueryInputs = Record<string, [sql.ISqlType, unknown]>;

/** Maps a driver error to the CDC domain: a missing change table means the capture instance is gone. */
function driverError(operation: string, error: unknown, instance?: CaptureInstance): Error {
  const e = error as { number?: unknown; message?: unknown; originalError?: { info?: { number?: unknown } } };
  const number = Number(e?.number ?? e?.originalError?.info?.number);
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (number === INVALID_OBJECT_NAME && instance && message.includes(`${instance.name}_CT`)) return new NoCaptureInstanceError(instance.table, instance.name);
  if (number === INVALID_LSN_RANGE) return new SourceQueryError(operation, `invalid LSN range (SQL Server error 313: ${message})`, { cause: error });
  return new SourceQueryError(operation, Number.isFinite(number) ? `${message} (SQL Server error ${number})` : message, { cause: error });
}

function plainIdentifier(name: string, operation: string): string {
  if (!IDENTIFIER.test(name)) throw new SourceQueryError(operation, `${JSON.stringify(name)} is not a plain SQL Server identifier (letters, digits, _ $ # @); refusing to put it into SQL`);
  return bracketed(name);
}

/** `[name]`, with `]` doubled (QUOTENAME's rule), for names the server itself returned. */
function bracketed(name: string): string {
  return `[${name.replace(/]/g, "]]")}]`;
}

function tableNameOf(table: string, operation: string): { schema: string; name: string } {
  const parts = table.split(".");
  if (parts.length !== 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new SourceQueryError(operation, `${JSON.stringify(table)} is not schema.table of plain SQL Server identifiers; refusing to put it into SQL`);
  }
  return { schema: parts[0]!, name: parts[1]! };
}

function positiveLimit(limit: number, operation: string): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new SourceQueryError(operation, `limit must be a positive integer, got ${limit}`);
  return limit;
}

function operationOf(value: unknown): ChangeOperation {
  if (value === 1 || value === 2 || value === 3 || value === 4) return value;
  throw new SourceValueError("__$operation", "int", value);
}

function commitMicrosOf(text: unknown): bigint {
  const micros = typeof text === "string" ? parseTimestampMicros(text) : undefined;
  if (micros === undefined) throw new SourceValueError("tran_end_time", "datetime", text);
  return micros;
}

function valuesOf(row: Record<string, unknown>, columns: { name: string; sqlType: string }[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const c of columns) values[c.name.toLowerCase()] = canonicalOf(row[c.name], c.sqlType, c.name.toLowerCase());
  return values;
}
