/**
 * What arrived of a scope's records: counted from bronze (distinct record ids, so an at-least-once redelivery
 * counts once and shows up as a copy) and from quarantine, through the same DuckDB views analysts query.
 */
import type { LakeQuery } from "../catalog";
import type { Dataset } from "../config";
import { sqlIdent } from "../lake/sql-text";
import { scopePredicates, type RecordScope } from "./scope";

export interface Arrivals {
  /** Distinct records in bronze. */
  landed: number;
  /** Bronze rows beyond one per record id: redeliveries that silver's dedupe removes. */
  copies: number;
  /** Distinct records in quarantine. */
  quarantined: number;
}

export const NO_ARRIVALS: Arrivals = { landed: 0, copies: 0, quarantined: 0 };

/** @example addArrivals({ landed: 2, copies: 0, quarantined: 1 }, { landed: 3, copies: 1, quarantined: 0 }) // { landed: 5, copies: 1, quarantined: 1 } */
export function addArrivals(a: Arrivals, b: Arrivals): Arrivals {
  return { landed: a.landed + b.landed, copies: a.copies + b.copies, quarantined: a.quarantined + b.quarantined };
}

/**
 * @example
 * const lake = await openLakeQuery(store, config);
 * await countArrivals(lake, datasetNamed(config, "user_events"), { kind: "id-prefix", column: "request_id", prefix: "run-7-" });
 * // { landed: 240, copies: 0, quarantined: 0 }
 */
export async function countArrivals(lake: LakeQuery, dataset: Dataset, scope: RecordScope): Promise<Arrivals> {
  const where = scopePredicates(dataset, scope);
  const table = sqlIdent(dataset.name);
  const [row] = await lake.query(`SELECT
    (SELECT count(*) FROM bronze.${table} WHERE ${where.bronze}) AS bronze_rows,
    (SELECT count(DISTINCT _record_id) FROM bronze.${table} WHERE ${where.bronze}) AS landed,
    (SELECT count(DISTINCT _record_id) FROM quarantine.${table} WHERE ${where.quarantine}) AS quarantined`);
  const landed = Number(row?.landed ?? 0);
  return { landed, copies: Number(row?.bronze_rows ?? 0) - landed, quarantined: Number(row?.quarantined ?? 0) };
}
