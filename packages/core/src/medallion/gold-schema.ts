/**
 * The columns of each gold report kind: what `gold.<report>` answers in Athena and DuckDB. Gold holds no raw PII:
 * customers appear by entity id, regions by the customer's country, and small cells are suppressed.
 */
import type { Column, ColumnType } from "../config";

export type GoldKind = "customer_activity" | "daily_kpis" | "results_by_region";

const col = (name: string, type: ColumnType, nullable = true): Column => ({ name, type, nullable, lineage: false });

const COLUMNS: Record<GoldKind, Column[]> = {
  customer_activity: [
    col("entity_id", "string", false),
    col("orders", "bigint", false),
    col("spend", "decimal(18,2)", false),
    col("kits", "bigint", false),
    col("lab_results", "bigint", false),
    col("web_events", "bigint", false),
    col("first_seen", "timestamp"),
    col("last_seen", "timestamp"),
    col("first_utm_source", "string"),
  ],
  daily_kpis: [
    col("dt", "date", false),
    col("orders", "bigint", false),
    col("revenue", "decimal(18,2)", false),
    col("lab_results", "bigint", false),
    col("turnaround_p50_hours", "double"),
    col("turnaround_p95_hours", "double"),
    col("visitors", "bigint", false),
    /** `{ "<utm source>": { "visitors": n, "ordering": n } }`: the funnel from first visit to an order, per source. */
    col("funnel_by_utm_source", "json"),
  ],
  results_by_region: [
    col("region", "string", false),
    col("test_code", "string", false),
    col("month", "date", false),
    /** Null when fewer than the report's `minCellSize` (k) results: small cells could identify people. */
    col("results", "bigint"),
    col("flagged", "bigint"),
    col("suppressed", "boolean", false),
  ],
};

/**
 * @example goldColumns("daily_kpis").map((c) => c.name) // ["dt", "orders", "revenue", …]
 */
export function goldColumns(kind: GoldKind): Column[] {
  return COLUMNS[kind];
}
