/**
 * The SQL of a silver merge, per dataset kind, for DuckDB:
 * - CDC tables: every change of a primary key ordered by (LSN, command id, seqval, operation) — SQL Server's
 *   documented order; the latest wins; a key whose latest change is a delete is gone; update before-images are
 *   ignored; a snapshot row is the oldest version at its LSN. A primary-key change arrives as delete + insert.
 *   A deleted key keeps its delete's version as a tombstone (`tombstoneSql`), which the next merges read with the
 *   previous silver: a change older than the delete that arrives in a later run loses to it instead of bringing
 *   the row back, and a newer change (a re-insert) wins over it and drops the tombstone.
 * - streams, files, GA: deduplicated by primary key (or record id), the latest `_ingested_at` winning.
 * The previous silver version is merged with the new bronze rows, so each run reads only what is new.
 */
import type { Column, Dataset, LinkKey } from "../config";
import { entityStartSql } from "./entity-sql";
import { maskSql, tokenSql } from "./pii-sql";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";


/** Lineage columns silver keeps (source IPs and user agents stay in bronze). */
const KEPT_LINEAGE = new Set(["_record_id", "_ingested_at", "_source", "_batch_id", "_lsn", "_seqval", "_commit_ts", "_file", "_row_number", "_received_at"]);

/**
 * The order CDC versions compare in: `<lsn>:<command id, 10 digits>:<seqval>:<operation rank>`, the rank as
 * `__$operation` orders them (delete 1, insert 2, update after 4; a snapshot row 0, and its command id 0, so it is
 * the oldest version at its LSN). The command id is the third field of `<table>:<lsn>:<command id>:<seqval>:<op>`
 * (dataset names cannot contain ':'), zero-padded as text: it is an int, so at most 10 digits. Built with one
 * `concat` and no cast, it costs about half of the `||` chain with a cast it replaces, and gives the same text.
 */
const CDC_VERSION_SQL = `concat(_lsn, ':', CASE WHEN _op = 'snapshot' THEN '0000000000' ELSE lpad(split_part(_record_id, ':', 3), 10, '0') END, ':', _seqval, ':', CASE _op WHEN 'snapshot' THEN '0' WHEN 'delete' THEN '1' WHEN 'insert' THEN '2' WHEN 'update_after' THEN '4' ELSE '9' END)`;

/** The key rows are deduplicated on: the primary key when declared, else the record id. */
export function dedupeKey(dataset: Dataset): string[] {
  return dataset.primaryKey.length > 0 ? dataset.primaryKey : ["_record_id"];
}

export interface MergeKeys {
  tokeniseKey: string | undefined;
  links: { keys: Record<string, LinkKey>; hashKey: string | undefined };
}

/** A bronze column as silver holds it (PII treated), or undefined when silver leaves it out. */
function silverColumnSql(c: Column, tokeniseKey: string | undefined): string | undefined {
  if (c.lineage) return KEPT_LINEAGE.has(c.name) ? sqlIdent(c.name) : undefined;
  if (c.pii === "drop") return undefined;
  if (c.pii === "tokenise") return `${tokenSql(c.name, tokeniseKey!)} AS ${sqlIdent(c.name)}`;
  if (c.pii === "mask") return `${maskSql(c.name)} AS ${sqlIdent(c.name)}`;
  return sqlIdent(c.name);
}

/**
 * The SQL of a row's version: which of two changes of a key is the later one. Never NULL (`concat`), as a NULL
 * version could never win its key. It reads only lineage silver keeps (`_lsn`, `_seqval`, `_op`, `_record_id`; else
 * `_ingested_at`, `_record_id`), so it gives the same text over a bronze row and over the silver row it became:
 * silver does not store it (at 1M change rows it was the largest column before compression, ~12% of the bytes after).
 *
 * @example versionSql(datasetNamed(config, "orders")) // "concat(_lsn, ':', …)" — e.g. '0000002A000000100002:0000000001:0000002A000000100002:2'
 */
export function versionSql(dataset: Dataset): string {
  return dataset.kind === "cdc" ? CDC_VERSION_SQL : `concat(strftime(_ingested_at, '%Y-%m-%dT%H:%M:%S.%f'), '|', _record_id)`;
}

/** The dedupe key's columns of bronze `FROM`, in silver form (a tokenised key holds its token, as silver rows do). */
function silverKeySql(dataset: Dataset, tokeniseKey: string | undefined): string[] {
  return dedupeKey(dataset)
    .map((name) => dataset.columns.find((c) => c.name === name))
    .map((c) => (c ? silverColumnSql(c, tokeniseKey) : undefined))
    .filter((sql): sql is string => sql !== undefined);
}

/**
 * Silver's columns of bronze `FROM`: PII treated, kept lineage, the CDC operation, and the row's entity start (from
 * the raw link values, before any PII treatment), with `entity_id` left for the merge to resolve.
 */
export function silverProjection(dataset: Dataset, keys: MergeKeys): string {
  const select = dataset.columns.map((c) => silverColumnSql(c, keys.tokeniseKey)).filter((sql): sql is string => sql !== undefined);
  if (dataset.kind === "cdc") select.push("_op");
  select.push(`${entityStartSql(dataset, keys.links.keys, keys.links.hashKey)} AS _entity_start`, "CAST(NULL AS VARCHAR) AS entity_id");
  return select.join(", ");
}

const list = (paths: string[]) => `[${paths.map(sqlLiteral).join(", ")}]`;
const readParquet = (paths: string[]) => `read_parquet(${list(paths)}, union_by_name = true, hive_partitioning = false)`;
/**
 * A row's id within one merge: its input (0 bronze, 1 previous silver, 2 tombstones), file and row number, from
 * read_parquet's virtual columns (room for 2^22 files per input and 2^40 rows per file).
 */
const rowIdSql = (input: 0 | 1 | 2) => `((${input}::UBIGINT << 62) | (file_index::UBIGINT << 40) | file_row_number::UBIGINT)`;

/**
 * The merge: new bronze (projected to silver) ∪ previous silver (already in silver shape) ∪ its tombstones, the
 * latest version per key; keys whose latest version is a delete are left out. Two passes, so that no change row is
 * carried through a sort or a wide hash table (a window over whole rows took ~20% more CPU and memory at 10M change
 * rows, bench/RESULTS.md): `winners` reads only key and version and keeps, per key, the row id of the latest
 * version; then only the rows whose id won are read whole and projected, so PII treatment and the entity start run
 * once per surviving row. Versions are unique per change: a tie is one change landed twice, and either copy is it.
 *
 * @example mergeSql(orders, { bronze: ["/tmp/a.parquet"], previous: [], tombstones: [], tokeniseKey, links }) // "WITH winners AS (…) SELECT …"
 */
export function mergeSql(dataset: Dataset, input: { bronze: string[]; previous: string[]; /** The previous version's tombstone files (CDC). */ tombstones?: string[] } & MergeKeys): string {
  const key = dedupeKey(dataset).map(sqlIdent);
  const tombstones = dataset.kind === "cdc" ? (input.tombstones ?? []) : [];
  const candidates: string[] = [];
  const survivors: string[] = [];
  const won = (from: 0 | 1 | 2) => `${rowIdSql(from)} IN (SELECT _row FROM winners)`;
  if (input.bronze.length > 0) {
    const changes = dataset.kind === "cdc" ? "_op <> 'update_before'" : "true";
    candidates.push(`SELECT ${silverKeySql(dataset, input.tokeniseKey).join(", ")}, ${versionSql(dataset)} AS _version, ${rowIdSql(0)} AS _row FROM ${readParquet(input.bronze)} WHERE ${changes}`);
    // The winners are never before-images; saying so lets the scan drop them before the join.
    const alive = dataset.kind === "cdc" ? "_op NOT IN ('update_before', 'delete')" : "true";
    survivors.push(`SELECT ${silverProjection(dataset, input)} FROM ${readParquet(input.bronze)} WHERE ${won(0)} AND ${alive}`);
  }
  if (input.previous.length > 0) {
    candidates.push(`SELECT ${key.join(", ")}, ${versionSql(dataset)} AS _version, ${rowIdSql(1)} AS _row FROM ${readParquet(input.previous)}`);
    // A previous row's start is its `_entity_start`, or its `entity_id` when that was null (see below). A version
    // written before silver stopped storing `_version` still has the column: it is left out.
    // (UNION ALL BY NAME puts the columns back in the bronze rows' order.)
    survivors.push(`SELECT COLUMNS(c -> c NOT IN ('_version', '_entity_start')), coalesce(_entity_start, entity_id) AS _entity_start FROM ${readParquet(input.previous)} WHERE ${won(1)}`);
  }
  // A tombstone only ever wins: a key whose latest version is a delete has no row.
  if (tombstones.length > 0) candidates.push(`SELECT ${key.join(", ")}, _version, ${rowIdSql(2)} AS _row FROM ${readParquet(tombstones)}`);
  const winners = `SELECT arg_max(_row, _version) AS _row FROM (${candidates.join(" UNION ALL BY NAME ")}) GROUP BY ${key.join(", ")}`;
  // entity_id is re-resolved on every merge (table `entity_roots`: merged entity → survivor), so late links reach old
  // rows. `_entity_start` is kept only when it differs from entity_id (its entity was merged into another): a second
  // copy of a unique hash in every row was ~18% of silver's bytes and of the time spent compressing them.
  const rows = `SELECT l.* EXCLUDE (entity_id) REPLACE (CASE WHEN r.root IS NULL THEN NULL ELSE l._entity_start END AS _entity_start), coalesce(r.root, l._entity_start) AS entity_id FROM (${survivors.join(" UNION ALL BY NAME ")}) l LEFT JOIN entity_roots r ON r.entity = l._entity_start`;
  return `WITH winners AS (${winners}) ${rows} ORDER BY ${key.join(", ")}`;
}

/** Lineage a tombstone keeps besides the key, the version and `_op`: which delete it is, and when it was seen. */
const TOMBSTONE_LINEAGE = ["_record_id", "_ingested_at", "_batch_id", "_lsn", "_seqval", "_commit_ts"];

/**
 * The tombstones of a CDC merge: per key, the latest delete among the new bronze rows and the previous tombstones,
 * kept only while the key has no live row (`live`: the FROM item of the rows the new version publishes, e.g. the
 * `merged` table). A live row is the key's latest version, newer than any of its deletes, so it needs no tombstone:
 * a re-inserted key drops its tombstone. Undefined when there is nothing to keep: a dataset without deletes (not
 * CDC), or no bronze and no previous tombstones.
 * The columns are the primary key (in silver form), `_version`, `_op` and the delete's lineage.
 *
 * @example tombstoneSql(orders, { bronze: ["/tmp/a.parquet"], tombstones: [], live: "merged", tokeniseKey, links }) // "WITH deletes AS (…) SELECT …"
 */
export function tombstoneSql(dataset: Dataset, input: { bronze: string[]; tombstones: string[]; live: string } & MergeKeys): string | undefined {
  if (dataset.kind !== "cdc" || input.bronze.length + input.tombstones.length === 0) return undefined;
  const keyColumns = dedupeKey(dataset);
  // In silver form (a tokenised key holds its token, as silver rows do); a PII `drop` column is never kept.
  const kept = dataset.columns.filter((c) => keyColumns.includes(c.name) || TOMBSTONE_LINEAGE.includes(c.name)).map((c) => silverColumnSql(c, input.tokeniseKey));
  const columns = [...kept.filter((sql): sql is string => sql !== undefined), `${CDC_VERSION_SQL} AS _version`, "_op"];
  const parts: string[] = [];
  if (input.bronze.length > 0) parts.push(`SELECT ${columns.join(", ")} FROM ${readParquet(input.bronze)} WHERE _op = 'delete'`);
  if (input.tombstones.length > 0) parts.push(`SELECT * FROM ${readParquet(input.tombstones)}`);
  const key = keyColumns.map(sqlIdent).join(", ");
  // Deletes are few, so a window is cheap here; a tie is one delete landed twice.
  const latest = `SELECT * FROM deletes QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _version DESC) = 1`;
  // IS NOT DISTINCT FROM: a NULL key is one key, as the merge's GROUP BY treats it.
  const sameKey = keyColumns.map((k) => `l.${sqlIdent(k)} IS NOT DISTINCT FROM d.${sqlIdent(k)}`).join(" AND ");
  return `WITH deletes AS (${parts.join(" UNION ALL BY NAME ")}) SELECT * FROM (${latest}) d WHERE NOT EXISTS (SELECT 1 FROM ${input.live} l WHERE ${sameKey}) ORDER BY ${key}`;
}
