/**
 * An entity's real-time report, folded from the report items of the entity and everything merged into it. The
 * fold takes, per fact key, the newest version (orders, results) or the widest first/last seen (visits), so items
 * written under two entities before they merged count once.
 */
import type { ReportItem } from "./report-table";
import { sumDecimals } from "./values";

export interface KitStatus {
  kit_barcode: string;
  /** `results_ready` once any result arrived, else the ordering order's status. */
  status: string;
  order_id: string | null;
  results: number;
}

export interface CustomerReport {
  entity_id: string;
  customer_ids: string[];
  /** When this report last changed (ISO). */
  as_of: string | null;
  /** Seconds since `as_of`. */
  freshness_seconds: number | null;
  orders: { count: number; spend: string; by_status: Record<string, number>; last_ordered_at: string | null };
  kits: KitStatus[];
  lab_results: { ready: number; last_reported_at: string | null };
  web: { sessions: number; visitors: number; last_seen: string | null; first_visit: { at: string; utm_source: string | null } | null };
  links: { keys: Record<string, number>; merged_entities: number };
}

export interface FoldOptions {
  /** How many entities the report unites (1 when never merged). */
  members: number;
  now: Date;
  /** The link key whose values are customer ids. */
  customerKey: string;
  /** Order statuses whose amounts are not spend. */
  excludeFromSpend: string[];
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const maxOf = (values: (string | null)[]) => values.reduce<string | null>((m, v) => (v !== null && (m === null || v > m) ? v : m), null);

/** Per key: the item with the highest version. */
function newest(items: ReportItem[]): ReportItem[] {
  const best = new Map<string, ReportItem>();
  for (const item of items) {
    const seen = best.get(item.sk);
    if (!seen || String(item.version) > String(seen.version)) best.set(item.sk, item);
  }
  return [...best.values()];
}

/** Per visit key: the earliest first hit and the latest last hit across entities. */
function widest(items: ReportItem[]): { firstKey: string; firstSeen: string; firstSource: string | null; lastSeen: string; visitor: string; session: string | null }[] {
  const visits = new Map<string, { firstKey: string; firstSeen: string; firstSource: string | null; lastSeen: string; visitor: string; session: string | null }>();
  for (const item of items) {
    if (typeof item.firstKey !== "string") continue;
    const seen = visits.get(item.sk);
    const lastSeen = String(item.lastSeen ?? item.firstSeen);
    if (!seen) {
      visits.set(item.sk, { firstKey: item.firstKey, firstSeen: String(item.firstSeen), firstSource: str(item.firstSource), lastSeen, visitor: String(item.visitor), session: str(item.session) });
      continue;
    }
    if (item.firstKey < seen.firstKey) Object.assign(seen, { firstKey: item.firstKey, firstSeen: String(item.firstSeen), firstSource: str(item.firstSource) });
    if (lastSeen > seen.lastSeen) seen.lastSeen = lastSeen;
  }
  return [...visits.values()];
}

/**
 * @example foldReport("ent_0a1…", ["customer_id:42"], items, { members: 1, now, customerKey: "customer_id", excludeFromSpend: ["cancelled"] }).orders.spend // "98.00"
 */
export function foldReport(entityId: string, nodes: string[], items: ReportItem[], options: FoldOptions): CustomerReport {
  const { customerKey, now } = options;
  const excluded = new Set(options.excludeFromSpend);
  const orders = newest(items.filter((i) => i.sk.startsWith("order#"))).filter((o) => o.deleted !== true);
  const results = newest(items.filter((i) => i.sk.startsWith("result#")));
  const visits = widest(items.filter((i) => i.sk.startsWith("visit#")));
  // When the report last changed: the newest fact applied, or a merge that brought facts in (`touch`).
  const asOf = maxOf(items.map((i) => str(i.sk === "touch" ? i.asOf : i.appliedAt)));

  const byStatus: Record<string, number> = {};
  for (const o of orders) byStatus[String(o.status ?? "unknown")] = (byStatus[String(o.status ?? "unknown")] ?? 0) + 1;
  const spend = sumDecimals(orders.filter((o) => !excluded.has(String(o.status)) && typeof o.amount === "string").map((o) => String(o.amount)));

  const kits = new Map<string, KitStatus>();
  for (const o of [...orders].sort((a, b) => String(a.time ?? "").localeCompare(String(b.time ?? "")))) {
    if (typeof o.kit === "string") kits.set(o.kit, { kit_barcode: o.kit, status: String(o.status ?? "unknown"), order_id: str(o.orderId), results: 0 });
  }
  for (const r of results) {
    const kit = kits.get(String(r.kit)) ?? { kit_barcode: String(r.kit), status: "results_ready", order_id: null, results: 0 };
    kit.results += 1;
    kit.status = "results_ready";
    kits.set(kit.kit_barcode, kit);
  }

  const first = visits.reduce<(typeof visits)[number] | undefined>((m, v) => (m === undefined || v.firstKey < m.firstKey ? v : m), undefined);
  const keyCounts: Record<string, number> = {};
  for (const node of nodes) {
    const key = node.slice(0, node.indexOf(":"));
    keyCounts[key] = (keyCounts[key] ?? 0) + 1;
  }
  return {
    entity_id: entityId,
    customer_ids: nodes.filter((n) => n.startsWith(`${customerKey}:`)).map((n) => n.slice(customerKey.length + 1)),
    as_of: asOf,
    freshness_seconds: asOf === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(asOf)) / 100) / 10),
    orders: { count: orders.length, spend, by_status: byStatus, last_ordered_at: maxOf(orders.map((o) => str(o.time))) },
    kits: [...kits.values()].sort((a, b) => a.kit_barcode.localeCompare(b.kit_barcode)),
    lab_results: { ready: results.length, last_reported_at: maxOf(results.map((r) => str(r.time))) },
    web: {
      sessions: visits.filter((v) => v.session !== null).length,
      visitors: new Set(visits.map((v) => v.visitor)).size,
      last_seen: maxOf(visits.map((v) => v.lastSeen)),
      first_visit: first ? { at: first.firstSeen, utm_source: first.firstSource } : null,
    },
    links: { keys: keyCounts, merged_entities: options.members - 1 },
  };
}
