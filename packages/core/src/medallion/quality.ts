/**
 * Quality expectations from the config, checked on a silver version before it is published:
 * - `fail`: any failing row stops the merge (nothing is published; the workflow fails with the reason);
 * - `quarantine`: failing rows leave silver for `quarantine/silver/<dataset>/v=<version>/` with the check that
 *   failed, so silver rows + quarantined rows = merged rows;
 * - `warn`: the count is recorded in the manifest and reported.
 * Checks run in DuckDB on the merged table (`merged`); `references` reads the referenced table's current silver.
 */
import type { Dataset, Expectation, TributaryConfig } from "../config";
import { MedallionError } from "./errors";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";

export interface QualityResult {
  check: Expectation["check"];
  column: string | null;
  action: Expectation["action"];
  failures: number;
  /** Up to five failing record ids, for the log and the error. */
  sample: string[];
  /** Set when the check could not run (e.g. the referenced table has no version yet). */
  skipped?: string;
}

/** A `fail` expectation failed: the merge publishes nothing. */
export class QualityFailedError extends MedallionError {
  constructor(
    readonly dataset: string,
    readonly result: QualityResult,
  ) {
    super(`medallion: ${dataset}: expectation ${result.check}${result.column ? ` on ${result.column}` : ""} failed for ${result.failures} row(s) (e.g. ${result.sample.join(", ")}); action is fail, so nothing was published`);
    this.name = "QualityFailedError";
  }
}


/** The expectations of one dataset. */
export function expectationsOf(config: TributaryConfig, dataset: Dataset): Expectation[] {
  return config.quality.filter((e) => e.dataset === dataset.name);
}

/**
 * The record ids of `merged` rows failing a row-level expectation (every check but freshness), or undefined.
 * `references` expects a view `ref_<dataset>` over the referenced table's current silver.
 *
 * @example failingRowsSql({ dataset: "orders", column: "status", check: "accepted_values", values: ["paid"], action: "quarantine" })
 */
export function failingRowsSql(e: Expectation): string | undefined {
  const c = e.column ? sqlIdent(e.column) : undefined;
  switch (e.check) {
    case "not_null":
      return `SELECT _record_id FROM merged WHERE ${c} IS NULL`;
    case "unique":
      return `SELECT _record_id FROM merged WHERE ${c} IN (SELECT ${c} FROM merged GROUP BY ALL HAVING count(*) > 1)`;
    case "accepted_values":
      return `SELECT _record_id FROM merged WHERE ${c} IS NOT NULL AND CAST(${c} AS VARCHAR) NOT IN (${(e.values ?? []).map(sqlLiteral).join(", ")})`;
    case "references":
      return `SELECT _record_id FROM merged WHERE ${c} IS NOT NULL AND ${c} NOT IN (SELECT ${sqlIdent(e.references!.column)} FROM ${sqlIdent(`ref_${e.references!.dataset}`)} WHERE ${sqlIdent(e.references!.column)} IS NOT NULL)`;
    case "freshness":
      return undefined;
  }
}

/** The freshness check: whether the newest row's time is older than `maxAgeMinutes`. */
export function freshnessSql(dataset: Dataset, e: Expectation, now: Date): string {
  const column = sqlIdent(dataset.partitionTime);
  return `SELECT count(*) FILTER (WHERE newest IS NULL OR newest < TIMESTAMPTZ ${sqlLiteral(now.toISOString())} - INTERVAL ${sqlLiteral(`${e.maxAgeMinutes ?? 60} minutes`)}) AS stale, CAST(max(newest) AS VARCHAR) AS newest FROM (SELECT max(${column}) AS newest FROM merged)`;
}
