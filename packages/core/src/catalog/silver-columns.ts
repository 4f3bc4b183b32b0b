/**
 * The columns of a silver table, as the catalog declares them (DuckDB's typed empty views, Glue tables). They
 * mirror the silver merge's projection (`medallion/silver-sql.ts`), which decides what silver files hold; a test
 * merges real bronze and compares the written Parquet schema with this list, so the two cannot drift apart.
 */
import type { Column, Dataset } from "../config";

/** Lineage columns silver keeps, in bronze order; source IPs and user agents stay in bronze. */
export const SILVER_KEPT_LINEAGE: readonly string[] = [
  "_record_id",
  "_ingested_at",
  "_source",
  "_batch_id",
  "_lsn",
  "_seqval",
  "_commit_ts",
  "_file",
  "_row_number",
  "_received_at",
];

/**
 * The smallest starting entity of the row's link nodes, which each merge re-resolves to its current survivor; null
 * when that is `entity_id` itself (the start was not merged into another entity), so its start is `coalesce(_entity_start, entity_id)`.
 */
const ENTITY_START_COLUMN: Column = { name: "_entity_start", type: "string", nullable: true, lineage: true };
/** The linked entity the row belongs to (from the link tables); null for a row without link keys. */
export const ENTITY_ID_COLUMN: Column = { name: "entity_id", type: "string", nullable: true, lineage: false };

/** CDC only: the operation of the row's latest change (deletes never reach silver). */
const OP_COLUMN: Column = { name: "_op", type: "string", nullable: false, lineage: true };

/**
 * Silver's columns, in the order the merge writes them: declared columns except PII `drop` (tokenised and masked
 * ones become strings and keep their `pii` treatment as a note), the kept lineage, `_op` for CDC
 * datasets, `_entity_start` and `entity_id`.
 *
 * @example silverColumns(datasetNamed(config, "customers")).map((c) => c.name)
 * // ["customer_id", "email", "full_name", "country", "created_at", "_record_id", …, "_op", "_entity_start", "entity_id"]
 */
export function silverColumns(dataset: Dataset): Column[] {
  const declared = dataset.columns
    .filter((c) => !c.lineage && c.pii !== "drop")
    .map((c): Column => (c.pii === "tokenise" || c.pii === "mask" ? { ...c, type: "string" } : c));
  const lineage = dataset.columns.filter((c) => c.lineage && SILVER_KEPT_LINEAGE.includes(c.name));
  return [...declared, ...lineage, ...(dataset.kind === "cdc" ? [OP_COLUMN] : []), ENTITY_START_COLUMN, ENTITY_ID_COLUMN];
}
