/**
 * What one bronze row contributes to its entity's real-time report, per the config's `realtime` roles. Each fact
 * has a stable key (sk) so a record applied twice counts once, and a version so an older record arriving late
 * never overwrites a newer one:
 * - CDC rows: (`_lsn`, `_seqval`, operation) — the source's own order; update before-images contribute nothing.
 * - other rows: (`_ingested_at`, `_record_id`) — a re-delivered, corrected file wins over the earlier one.
 * Visits need no version: first and last seen only ever move outwards (min / max), whatever the order.
 */
import type { Dataset, RealtimeConfig } from "../config";
import { ReportValueError } from "./errors";
import { instantOf, isDecimalText, utmSourceOf } from "./values";

export interface OrderFact {
  kind: "order";
  sk: string;
  version: string;
  orderId: string;
  amount: string | null;
  status: string | null;
  kit: string | null;
  time: string | null;
  deleted: boolean;
}

export interface ResultFact {
  kind: "result";
  sk: string;
  version: string;
  kit: string;
  test: string;
  time: string | null;
  flag: string | null;
}

export interface VisitFact {
  kind: "visit";
  sk: string;
  dataset: string;
  visitor: string;
  session: string | null;
  /** ISO instant of the hit. */
  at: string;
  utmSource: string | null;
}

export type Fact = OrderFact | ResultFact | VisitFact;

type Row = Record<string, unknown>;

/** `__$operation` order (1 delete, 2 insert, 4 update after), as SQL Server documents; a snapshot row ranks first. */
const OP_RANK: Record<string, string> = { snapshot: "0", delete: "1", insert: "2", update_after: "4" };

function text(row: Row, column: string | undefined): string | null {
  if (column === undefined) return null;
  const value = row[column];
  return value === null || value === undefined || value === "" ? null : String(value);
}

/**
 * The version of a row, comparable as a string; undefined for an update before-image (it carries no new state).
 * CDC rows order by (LSN, command id, seqval, operation) — SQL Server's documented order (Microsoft: seqval alone
 * "should not be used for ordering"); an update logged as delete + insert under one seqval ends as the insert.
 * The command id travels in `_record_id` (`<table>:<lsn>:<command id>:<seqval>:<op>`).
 */
export function versionOf(row: Row): string | undefined {
  if (typeof row._lsn === "string") {
    const op = String(row._op ?? "");
    if (op === "update_before") return undefined;
    const commandId = /^[^:]+:[0-9A-Fa-f]+:(\d+):/.exec(String(row._record_id ?? ""))?.[1] ?? "0";
    return `${row._lsn.toUpperCase()}:${commandId.padStart(10, "0")}:${String(row._seqval ?? "").toUpperCase()}:${OP_RANK[op] ?? "9"}`;
  }
  return `${instantOf(row._ingested_at) ?? ""}|${String(row._record_id ?? "")}`;
}

function timeOf(dataset: Dataset, row: Row, column: string): string | null {
  const raw = row[column];
  if (raw === null || raw === undefined || raw === "") return null;
  const at = instantOf(raw);
  if (at === undefined) throw new ReportValueError(dataset.name, column, raw, "a timestamp");
  return at;
}

/**
 * @example factsOf(config.realtime, ordersDataset, row) // [{ kind: "order", sk: "order#7", version: "…", amount: "49.00", … }]
 */
export function factsOf(realtime: RealtimeConfig, dataset: Dataset, row: Row): Fact[] {
  const facts: Fact[] = [];
  const version = versionOf(row);
  const orders = realtime.orders;
  if (orders?.dataset === dataset.name && version !== undefined) {
    const orderId = text(row, orders.id);
    const amount = text(row, orders.amount);
    if (amount !== null && !isDecimalText(amount)) throw new ReportValueError(dataset.name, orders.amount, amount, "a decimal");
    if (orderId !== null) {
      facts.push({
        kind: "order",
        sk: `order#${orderId}`,
        version,
        orderId,
        amount,
        status: text(row, orders.status),
        kit: text(row, orders.kit)?.trim().toUpperCase() || null,
        time: timeOf(dataset, row, orders.time),
        deleted: row._op === "delete",
      });
    }
  }
  const results = realtime.labResults;
  if (results?.dataset === dataset.name && version !== undefined) {
    const kit = text(row, results.kit)?.trim().toUpperCase();
    const test = text(row, results.test);
    if (kit && test) {
      facts.push({ kind: "result", sk: `result#${kit}#${test}`, version, kit, test, time: timeOf(dataset, row, results.time), flag: text(row, results.flag) });
    }
  }
  for (const web of realtime.web) {
    if (web.dataset !== dataset.name) continue;
    if (web.bot !== undefined && (row[web.bot] === true || row[web.bot] === "true")) continue;
    const visitor = text(row, web.visitor);
    const at = timeOf(dataset, row, web.time);
    if (visitor === null || at === null) continue;
    const session = text(row, web.session);
    facts.push({ kind: "visit", sk: `visit#${dataset.name}#${visitor}#${session ?? "-"}`, dataset: dataset.name, visitor, session, at, utmSource: utmSourceOf(text(row, web.url)) ?? null });
  }
  return facts;
}

/** Whether any realtime role reads this dataset. */
export function feedsReport(realtime: RealtimeConfig, dataset: Dataset): boolean {
  return realtime.orders?.dataset === dataset.name || realtime.labResults?.dataset === dataset.name || realtime.web.some((w) => w.dataset === dataset.name);
}
