/**
 * The SQL of a silver merge, per dataset kind, for DuckDB:
 * - CDC tables: every change of a primary key ordered by (LSN, command id, seqval, operation) — SQL Server's
 *   documented order; the latest wins; a key whose latest change is a delete is gone; update before-images are
 *   ignored; a snapshot row is the oldest version at its LSN. A primary-key change arrives as delete + insert.
 * - streams, files, GA: deduplicated by primary key (or record id), the latest `_ingested_at` winning.
 * The previous silver version is merged with the new bronze rows, so each run reads only what is new.
 */
import type { Dataset, LinkKey } from "../config";
import { entityStartSql } from "./entity-sql";
import { maskSql, tokenSql } from "./pii-sql";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";


/** Lineage columns silver keeps (source IPs and user agents stay in bronze). */
const KEPT_LINEAGE = new Set(["_record_id", "_ingested_at", "_source", "_batch_id", "_lsn", "_seqval", "_commit_ts", "_file", "_row_number", "_received_at"]);

/** The order CDC versions compare in (operation ranks as `__$operation`: delete 1, insert 2, update after 4). */
// The command id is the third field of `<table>:<lsn>:<command id>:<seqval>:<op>` (a snapshot's is `snapshot` → 0;
// dataset names cannot contain ':'). split_part + TRY_CAST is cheaper than a regexp on every row.
const CDC_VERSION_SQL = `_lsn || ':' || lpad(coalesce(TRY_CAST(split_part(_record_id, ':', 3) AS UBIGINT), 0)::VARCHAR, 10, '0') || ':' || _seqval || ':' || CASE _op WHEN 'snapshot' THEN '0' WHEN 'delete' THEN '1' WHEN 'insert' THEN '2' WHEN 'update_after' THEN '4' ELSE '9' END`;

/** Whether a link key column is PII (tokenised, masked or dropped in silver: only bronze has its raw value). */
function linksByPii(dataset: Dataset): boolean {
  return Object.keys(dataset.linkKeys).some((column) => dataset.columns.find((c) => c.name === column)?.pii !== undefined);
}

/** The key rows are deduplicated on: the primary key when declared, else the record id. */
export function dedupeKey(dataset: Dataset): string[] {
  return dataset.primaryKey.length > 0 ? dataset.primaryKey : ["_record_id"];
}

export interface MergeKeys {
  tokeniseKey: string | undefined;
  links: { keys: Record<string, LinkKey>; hashKey: string | undefined };
}

/** Silver's columns of bronze `FROM`: PII treated, kept lineage, the CDC version and operation, and the row's entity start. */
export function silverProjection(dataset: Dataset, keys: MergeKeys): string {
  const tokeniseKey = keys.tokeniseKey;
  const select: string[] = [];
  for (const c of dataset.columns) {
    if (c.lineage) {
      if (KEPT_LINEAGE.has(c.name)) select.push(sqlIdent(c.name));
      continue;
    }
    if (c.pii === "drop") continue;
    if (c.pii === "tokenise") select.push(`${tokenSql(c.name, tokeniseKey!)} AS ${sqlIdent(c.name)}`);
    else if (c.pii === "mask") select.push(`${maskSql(c.name)} AS ${sqlIdent(c.name)}`);
    else select.push(sqlIdent(c.name));
  }
  if (dataset.kind === "cdc") select.push(`${CDC_VERSION_SQL} AS _version`, "_op");
  else select.push(`strftime(_ingested_at, '%Y-%m-%dT%H:%M:%S.%f') || '|' || _record_id AS _version`);
  // The entity start needs the raw link values, so a dataset linking by a PII column computes it here, before the
  // treatment; the others after the dedupe (mergeSql), where it runs once per surviving row (~30% of a merge saved).
  const start = linksByPii(dataset) ? entityStartSql(dataset, keys.links.keys, keys.links.hashKey) : "CAST(NULL AS VARCHAR)";
  select.push(`${start} AS _entity_start`, "CAST(NULL AS VARCHAR) AS entity_id");
  return select.join(", ");
}

/**
 * The merge: previous silver (already in silver shape) ∪ new bronze (projected), the latest version per key.
 *
 * @example mergeSql(orders, { bronze: ["/tmp/a.parquet"], previous: [], tokeniseKey, links }) // "WITH changes AS (…) SELECT …"
 */
export function mergeSql(dataset: Dataset, input: { bronze: string[]; previous: string[] } & MergeKeys): string {
  const list = (paths: string[]) => `[${paths.map(sqlLiteral).join(", ")}]`;
  const parts: string[] = [];
  if (input.bronze.length > 0) {
    const where = dataset.kind === "cdc" ? "WHERE _op <> 'update_before'" : "";
    parts.push(`SELECT ${silverProjection(dataset, input)} FROM read_parquet(${list(input.bronze)}, union_by_name = true, hive_partitioning = false) ${where}`);
  }
  if (input.previous.length > 0) parts.push(`SELECT * FROM read_parquet(${list(input.previous)}, union_by_name = true, hive_partitioning = false)`);
  const key = dedupeKey(dataset).map(sqlIdent).join(", ");
  const latest = `SELECT * FROM changes QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _version DESC, _record_id DESC) = 1`;
  const alive = dataset.kind === "cdc" ? `SELECT * FROM (${latest}) WHERE _op <> 'delete'` : latest;
  // entity_id is re-resolved on every merge (table `entity_roots`: merged entity → survivor), so late links reach old rows.
  // Rows from bronze get their entity start here, once per surviving row; previous silver rows keep theirs.
  const started = linksByPii(dataset) ? alive : `SELECT * REPLACE (coalesce(_entity_start, ${entityStartSql(dataset, input.links.keys, input.links.hashKey)}) AS _entity_start) FROM (${alive})`;
  const resolved = `SELECT l.* EXCLUDE (entity_id), coalesce(r.root, l._entity_start) AS entity_id FROM (${started}) l LEFT JOIN entity_roots r ON r.entity = l._entity_start`;
  return `WITH changes AS (${parts.join(" UNION ALL BY NAME ")}) ${resolved} ORDER BY ${key}`;
}
