/**
 * The link step for one `record.ingested` announcement: reads the announced bronze rows, puts each row's link
 * nodes in one entity (merging entities a row bridges), and applies the row's report facts to that entity.
 * Idempotent per record: an announcement delivered twice leaves the same graph and the same report.
 */
import { datasetNamed, type TributaryConfig } from "../config";
import type { Ports } from "../platform";
import { factsOf, feedsReport } from "../reports/facts";
import { ReportTable } from "../reports/report-table";
import type { RecordIngested } from "./announcement";
import { readBronzeRows } from "./bronze-rows";
import { LinkGraph } from "./graph";
import { hasHashedLinkKey, linkNodesOf } from "./nodes";

export interface LinkOutcome {
  dataset: string;
  batchId: string;
  part: number;
  /** Rows of this announcement the step looked at. */
  rows: number;
  /** Rows resolved to an entity. */
  linked: number;
  /** Rows with no link key value: kept in bronze, in no entity. */
  unlinked: number;
  entities: number;
  merges: number;
  factsApplied: number;
  /** Facts already present in the same or a newer version (replays, late arrivals). */
  factsStale: number;
}

/** Rows resolved at once per announcement (DynamoDB round trips dominate, so a few in flight pay off). */
const CONCURRENCY = 16;

export interface LinkContext {
  graph: LinkGraph;
  reports: ReportTable;
  now?: () => Date;
}

/** The graph and report table of a platform (one per container: the graph's pointer cache is worth keeping). */
export function linkContext(ports: Ports): LinkContext {
  return { graph: new LinkGraph(ports.dynamo, ports.tableName("link_graph")), reports: new ReportTable(ports.dynamo, ports.tableName("realtime_reports")) };
}

function rowsOfThisPart(rows: Record<string, unknown>[], announcement: RecordIngested): Record<string, unknown>[] {
  // Past the announcement's cap the keys were left out: the first part takes every row of the batch.
  if (!announcement.linkKeysComplete) return announcement.part === 0 ? rows : [];
  const ids = new Set(announcement.records.map((r) => r.recordId));
  return rows.filter((row) => ids.has(String(row._record_id)));
}

/**
 * @example await linkAnnouncement(ports, ctx, parseRecordIngested(event)) // { linked: 25, merges: 1, … }
 */
export async function linkAnnouncement(ports: Ports, ctx: LinkContext, announcement: RecordIngested): Promise<LinkOutcome> {
  const config: TributaryConfig = ports.config;
  const dataset = datasetNamed(config, announcement.dataset);
  const outcome: LinkOutcome = { dataset: dataset.name, batchId: announcement.batchId, part: announcement.part, rows: 0, linked: 0, unlinked: 0, entities: 0, merges: 0, factsApplied: 0, factsStale: 0 };
  if (Object.keys(dataset.linkKeys).length === 0) return outcome;
  const wanted = !announcement.linkKeysComplete || announcement.records.length > 0;
  if (!wanted) return outcome;

  const hashKey = hasHashedLinkKey(dataset, config.links.keys) ? await ports.secrets.get("LINK_HASH_KEY") : undefined;
  const rows = rowsOfThisPart(await readBronzeRows(ports.lake, announcement.files), announcement);
  const withFacts = feedsReport(config.realtime, dataset);
  const touched = new Set<string>();
  outcome.rows = rows.length;

  const keyed = rows.map((row) => ({ row, recordId: String(row._record_id), nodes: linkNodesOf(dataset, config.links.keys, row, hashKey) }));
  const linked = keyed.filter((k) => k.nodes.length > 0);
  outcome.unlinked = keyed.length - linked.length;
  const resolutions = await ctx.graph.resolveMany(linked, CONCURRENCY);
  outcome.linked = linked.length;
  const now = (ctx.now ?? (() => new Date()))();
  const merged = new Set<string>();
  for (const r of resolutions) {
    outcome.merges += r.merged.length;
    touched.add(r.entityId);
    if (r.merged.length > 0 || !withFacts) merged.add(r.entityId);
  }
  const dated = new Set<string>();
  if (withFacts) {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < linked.length; i = next++) {
        const applied = await ctx.reports.apply(resolutions[i]!.entityId, factsOf(config.realtime, dataset, linked[i]!.row), now);
        outcome.factsApplied += applied.applied;
        outcome.factsStale += applied.stale;
        if (applied.applied > 0) dated.add(resolutions[i]!.entityId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, linked.length) }, worker));
  }

  // Facts date themselves; a merge or a link-only row changes the report without one, so it is recorded here.
  const touches = [...merged].filter((entity) => !dated.has(entity));
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, touches.length) }, async (_, w) => {
    for (let i = w; i < touches.length; i += CONCURRENCY) await ctx.reports.touch(touches[i]!, now);
  }));
  outcome.entities = touched.size;
  return outcome;
}
