/**
 * Gold report SQL over silver views named `silver_<dataset>` (created by the gold build from each table's current
 * version). The datasets and columns come from the config's realtime roles, so gold follows the same contract as the
 * real-time report: orders, lab results, web visits — joined through `entity_id`, never through raw PII.
 */
import { datasetNamed, type RealtimeConfig, type TributaryConfig } from "../config";
import type { GoldKind } from "./gold-schema";
import { versionSql } from "./silver-sql";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";

export const silverView = (dataset: string) => sqlIdent(`silver_${dataset}`);

/** The silver datasets a report reads. */
export function goldInputs(config: TributaryConfig, report: TributaryConfig["reports"][number]): string[] {
  const rt = config.realtime;
  const web = rt.web.map((w) => w.dataset);
  switch (report.kind as GoldKind) {
    case "customer_activity":
    case "daily_kpis":
      return [...new Set([rt.orders?.dataset, rt.labResults?.dataset, ...web].filter((d): d is string => d !== undefined))];
    case "results_by_region":
      return [...new Set([rt.labResults?.dataset, report.region?.dataset].filter((d): d is string => d !== undefined))];
  }
}

/** Every web hit as (entity_id, visitor, ts, utm_source), bots left out. */
function webHitsSql(rt: RealtimeConfig): string {
  if (rt.web.length === 0) return "SELECT NULL::VARCHAR AS entity_id, NULL::VARCHAR AS visitor, NULL::TIMESTAMPTZ AS ts, NULL::VARCHAR AS utm_source WHERE false";
  return rt.web
    .map((w) => {
      const utm = w.url ? `nullif(regexp_extract(${sqlIdent(w.url)}, '[?&]utm_source=([^&#]*)', 1), '')` : "NULL::VARCHAR";
      const bot = w.bot ? `WHERE NOT coalesce(${sqlIdent(w.bot)}, false)` : "";
      return `SELECT entity_id, CAST(${sqlIdent(w.visitor)} AS VARCHAR) AS visitor, CAST(${sqlIdent(w.time)} AS TIMESTAMPTZ) AS ts, ${utm} AS utm_source FROM ${silverView(w.dataset)} ${bot}`;
    })
    .join(" UNION ALL ");
}

function ordersSql(rt: RealtimeConfig): string {
  const o = rt.orders;
  if (!o) return "SELECT NULL::VARCHAR AS entity_id, NULL::VARCHAR AS kit, NULL::DECIMAL(18,2) AS amount, NULL::VARCHAR AS status, NULL::TIMESTAMPTZ AS ts WHERE false";
  return `SELECT entity_id, ${o.kit ? `upper(trim(CAST(${sqlIdent(o.kit)} AS VARCHAR)))` : "NULL::VARCHAR"} AS kit, CAST(${sqlIdent(o.amount)} AS DECIMAL(18,2)) AS amount, CAST(${sqlIdent(o.status)} AS VARCHAR) AS status, CAST(${sqlIdent(o.time)} AS TIMESTAMPTZ) AS ts FROM ${silverView(o.dataset)}`;
}

function resultsSql(rt: RealtimeConfig): string {
  const r = rt.labResults;
  if (!r) return "SELECT NULL::VARCHAR AS entity_id, NULL::VARCHAR AS test, NULL::TIMESTAMPTZ AS ts, NULL::TIMESTAMPTZ AS collected, NULL::BOOLEAN AS flagged WHERE false";
  const flagged = r.flag ? `coalesce(CAST(${sqlIdent(r.flag)} AS VARCHAR), '') NOT IN (${r.normalFlags.map(sqlLiteral).join(", ")})` : "false";
  return `SELECT entity_id, CAST(${sqlIdent(r.test)} AS VARCHAR) AS test, CAST(${sqlIdent(r.time)} AS TIMESTAMPTZ) AS ts, ${r.collected ? `CAST(${sqlIdent(r.collected)} AS TIMESTAMPTZ)` : "NULL::TIMESTAMPTZ"} AS collected, ${flagged} AS flagged FROM ${silverView(r.dataset)}`;
}

/**
 * The SELECT that builds one gold report, ordered so the output is the same on every run.
 *
 * @example goldSql(config, { name: "daily_kpis", kind: "daily_kpis" }) // "WITH orders AS (…) SELECT dt, …"
 */
export function goldSql(config: TributaryConfig, report: TributaryConfig["reports"][number]): string {
  const rt = config.realtime;
  const excluded = (rt.orders?.excludeFromSpend ?? []).map(sqlLiteral).join(", ") || "''";
  const base = `WITH orders AS (${ordersSql(rt)}), results AS (${resultsSql(rt)}), hits AS (${webHitsSql(rt)})`;
  switch (report.kind as GoldKind) {
    case "customer_activity":
      return `${base},
        o AS (SELECT entity_id, count(*) AS orders, coalesce(sum(amount) FILTER (WHERE status NOT IN (${excluded})), 0) AS spend, count(DISTINCT kit) AS kits, min(ts) AS first_at, max(ts) AS last_at FROM orders WHERE entity_id IS NOT NULL GROUP BY ALL),
        r AS (SELECT entity_id, count(*) AS lab_results FROM results WHERE entity_id IS NOT NULL GROUP BY ALL),
        w AS (SELECT entity_id, count(*) AS web_events, min(ts) AS first_at, max(ts) AS last_at, arg_min(utm_source, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') || '|' || coalesce(utm_source, '')) AS first_utm_source FROM hits WHERE entity_id IS NOT NULL GROUP BY ALL),
        e AS (SELECT entity_id FROM o UNION SELECT entity_id FROM r UNION SELECT entity_id FROM w)
        SELECT e.entity_id, coalesce(o.orders, 0) AS orders, CAST(coalesce(o.spend, 0) AS DECIMAL(18,2)) AS spend, coalesce(o.kits, 0) AS kits, coalesce(r.lab_results, 0) AS lab_results,
          coalesce(w.web_events, 0) AS web_events, least(o.first_at, w.first_at) AS first_seen, greatest(o.last_at, w.last_at) AS last_seen, w.first_utm_source
        FROM e LEFT JOIN o USING (entity_id) LEFT JOIN r USING (entity_id) LEFT JOIN w USING (entity_id) ORDER BY e.entity_id`;
    case "daily_kpis":
      return `${base},
        first_visits AS (SELECT entity_id, min(ts) AS ts, arg_min(utm_source, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') || '|' || coalesce(utm_source, '')) AS source FROM hits WHERE entity_id IS NOT NULL GROUP BY ALL),
        ordering AS (SELECT DISTINCT entity_id FROM orders WHERE entity_id IS NOT NULL),
        funnel AS (SELECT CAST(f.ts AS DATE) AS dt, coalesce(f.source, '(direct)') AS source, count(*) AS visitors, count(o.entity_id) AS ordering FROM first_visits f LEFT JOIN ordering o USING (entity_id) GROUP BY ALL),
        days AS (SELECT CAST(ts AS DATE) AS dt FROM orders UNION SELECT CAST(ts AS DATE) FROM results UNION SELECT CAST(ts AS DATE) FROM hits),
        o AS (SELECT CAST(ts AS DATE) AS dt, count(*) AS orders, coalesce(sum(amount) FILTER (WHERE status NOT IN (${excluded})), 0) AS revenue FROM orders GROUP BY ALL),
        r AS (SELECT CAST(ts AS DATE) AS dt, count(*) AS lab_results, quantile_cont(epoch(ts - collected) / 3600.0, 0.5) AS p50, quantile_cont(epoch(ts - collected) / 3600.0, 0.95) AS p95 FROM results GROUP BY ALL),
        v AS (SELECT CAST(ts AS DATE) AS dt, count(DISTINCT visitor) AS visitors FROM hits GROUP BY ALL),
        fj AS (SELECT dt, json_group_object(source, json_object('visitors', visitors, 'ordering', ordering)) AS funnel FROM (SELECT * FROM funnel ORDER BY source) GROUP BY ALL)
        SELECT d.dt, coalesce(o.orders, 0) AS orders, CAST(coalesce(o.revenue, 0) AS DECIMAL(18,2)) AS revenue, coalesce(r.lab_results, 0) AS lab_results,
          round(r.p50, 3) AS turnaround_p50_hours, round(r.p95, 3) AS turnaround_p95_hours, coalesce(v.visitors, 0) AS visitors, CAST(coalesce(fj.funnel, '{}') AS JSON) AS funnel_by_utm_source
        FROM days d LEFT JOIN o USING (dt) LEFT JOIN r USING (dt) LEFT JOIN v USING (dt) LEFT JOIN fj USING (dt) WHERE d.dt IS NOT NULL ORDER BY d.dt`;
    case "results_by_region": {
      const region = report.region!;
      const k = report.minCellSize ?? 5;
      const hide = (expr: string) => `CASE WHEN ${expr} > 0 AND ${expr} < ${k} THEN NULL ELSE ${expr} END`;
      return `${base},
        regions AS (SELECT entity_id, arg_max(CAST(${sqlIdent(region.column)} AS VARCHAR), ${versionSql(datasetNamed(config, region.dataset))}) AS region FROM ${silverView(region.dataset)} WHERE entity_id IS NOT NULL GROUP BY ALL),
        cells AS (SELECT coalesce(g.region, '(unknown)') AS region, r.test AS test_code, CAST(date_trunc('month', r.ts) AS DATE) AS month, count(*) AS results, count(*) FILTER (WHERE r.flagged) AS flagged
          FROM results r LEFT JOIN regions g USING (entity_id) GROUP BY ALL)
        SELECT region, test_code, month, CASE WHEN results < ${k} THEN NULL ELSE results END AS results, CASE WHEN results < ${k} THEN NULL ELSE ${hide("flagged")} END AS flagged, results < ${k} OR (flagged > 0 AND flagged < ${k}) AS suppressed
        FROM cells ORDER BY region, test_code, month`;
    }
  }
}
