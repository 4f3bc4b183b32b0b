/**
 * The embedded stand-in's database layout, in PGlite (Postgres): the source tables the config declares, and a
 * `cdc` schema that mirrors SQL Server's — capture instances (`cdc.change_tables`), a change table per instance
 * (`cdc.changes`, keyed like `cdc.<ci>_CT`), and `cdc.lsn_time_mapping`. A row trigger writes every change with
 * the transaction's commit LSN, a per-change seqval and SQL Server's operation codes, so the poller reads the
 * stand-in exactly as it reads SQL Server.
 */
import { decimalOf, type Column, type ColumnType } from "../config";

/** `dbo.customers` → `"dbo"."customers"`; names were validated by the config schema. */
export function quotedTable(table: string): string {
  return table
    .split(".")
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join(".");
}

export function quotedColumn(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The Postgres type standing in for a column type (datetime2 → timestamp(6), decimal → numeric). */
export function postgresType(type: ColumnType): string {
  const dec = decimalOf(type);
  if (dec) return `numeric(${dec.precision},${dec.scale})`;
  const map: Record<string, string> = {
    string: "text", json: "text", int: "integer", bigint: "bigint", double: "double precision",
    boolean: "boolean", date: "date", timestamp: "timestamp(6)",
  };
  return map[type]!;
}

/** DDL of one source table from its declared columns (lineage columns are not source columns). */
export function createTableSql(table: string, columns: Column[], primaryKey: string[]): string {
  const schema = table.split(".")[0]!;
  const cols = columns.filter((c) => !c.lineage).map((c) => `${quotedColumn(c.name)} ${postgresType(c.type)}${c.nullable ? "" : " NOT NULL"}`);
  return `CREATE SCHEMA IF NOT EXISTS ${quotedColumn(schema)};
CREATE TABLE IF NOT EXISTS ${quotedTable(table)} (${cols.join(", ")}, PRIMARY KEY (${primaryKey.map(quotedColumn).join(", ")}));`;
}

/** The cdc schema, sequences and the capture trigger function. Idempotent. */
export const CDC_SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS cdc;
CREATE SEQUENCE IF NOT EXISTS cdc.lsn_seq;
CREATE SEQUENCE IF NOT EXISTS cdc.seqval_seq;
-- tran_id 0 marks the capture job's own entries: they move the max LSN on while the database is idle.
CREATE TABLE IF NOT EXISTS cdc.lsn_time_mapping (
  start_lsn bigint PRIMARY KEY,
  tran_begin_time timestamptz NOT NULL,
  tran_end_time timestamptz NOT NULL,
  tran_id bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS cdc.change_tables (
  capture_instance text PRIMARY KEY,
  source_table text NOT NULL,
  start_lsn bigint NOT NULL,
  min_lsn bigint NOT NULL,
  captured_columns jsonb NOT NULL,
  create_date timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS cdc.changes (
  capture_instance text NOT NULL,
  start_lsn bigint NOT NULL,
  command_id integer NOT NULL,
  seqval bigint NOT NULL,
  operation smallint NOT NULL,
  row jsonb NOT NULL,
  PRIMARY KEY (capture_instance, start_lsn, command_id, seqval, operation)
);
CREATE TABLE IF NOT EXISTS cdc.state (key text PRIMARY KEY, value text NOT NULL);

-- The commit LSN of the current transaction, allocated (with its lsn_time_mapping entry) at its first change.
-- PGlite runs one transaction at a time, so allocation order is commit order.
CREATE OR REPLACE FUNCTION cdc.transaction_lsn() RETURNS bigint AS $$
DECLARE
  lsn bigint;
BEGIN
  IF current_setting('cdc.tx_id', true) IS NOT DISTINCT FROM txid_current()::text THEN
    RETURN current_setting('cdc.tx_lsn')::bigint;
  END IF;
  lsn := nextval('cdc.lsn_seq');
  PERFORM set_config('cdc.tx_lsn', lsn::text, true);
  PERFORM set_config('cdc.tx_id', txid_current()::text, true);
  PERFORM set_config('cdc.command_id', '0', true);
  INSERT INTO cdc.lsn_time_mapping VALUES (lsn, now(), clock_timestamp(), txid_current());
  RETURN lsn;
END $$ LANGUAGE plpgsql;

-- A row image as text values (exact: numeric, bigint and timestamp(6) keep every digit), limited to the columns
-- the capture instance captures.
CREATE OR REPLACE FUNCTION cdc.row_image(image jsonb, columns jsonb) RETURNS jsonb AS $$
  SELECT coalesce(jsonb_object_agg(e.key, e.value #>> '{}'), '{}'::jsonb)
  FROM jsonb_each(image) e
  WHERE columns ? e.key
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION cdc.capture() RETURNS trigger AS $$
DECLARE
  lsn bigint := cdc.transaction_lsn();
  command integer := current_setting('cdc.command_id')::integer + 1;
  seq bigint := nextval('cdc.seqval_seq');
  ci record;
BEGIN
  PERFORM set_config('cdc.command_id', command::text, true);
  FOR ci IN SELECT capture_instance, captured_columns FROM cdc.change_tables WHERE source_table = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME LOOP
    IF TG_OP = 'INSERT' THEN
      INSERT INTO cdc.changes VALUES (ci.capture_instance, lsn, command, seq, 2, cdc.row_image(to_jsonb(NEW), ci.captured_columns));
    ELSIF TG_OP = 'UPDATE' THEN
      -- SQL Server logs an update as a before image (3) and an after image (4) sharing one seqval.
      INSERT INTO cdc.changes VALUES (ci.capture_instance, lsn, command, seq, 3, cdc.row_image(to_jsonb(OLD), ci.captured_columns));
      INSERT INTO cdc.changes VALUES (ci.capture_instance, lsn, command, seq, 4, cdc.row_image(to_jsonb(NEW), ci.captured_columns));
    ELSE
      INSERT INTO cdc.changes VALUES (ci.capture_instance, lsn, command, seq, 1, cdc.row_image(to_jsonb(OLD), ci.captured_columns));
    END IF;
  END LOOP;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
`;

/** Attaches the capture trigger to a source table (CDC's `sp_cdc_enable_table` for the stand-in). */
export function captureTriggerSql(table: string): string {
  return `DROP TRIGGER IF EXISTS tributary_cdc ON ${quotedTable(table)};
CREATE TRIGGER tributary_cdc AFTER INSERT OR UPDATE OR DELETE ON ${quotedTable(table)} FOR EACH ROW EXECUTE FUNCTION cdc.capture();`;
}
