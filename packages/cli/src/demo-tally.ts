/**
 * What the demo's drivers sent, per flow (a stream, GA, a partner feed, a SQL Server source), and where each
 * flow's records of this run are found in the lake. Counts are per run: every record carries the run id (ids,
 * client ids, landing keys) and CDC changes are scoped by the run's LSN window, so a second run in the same
 * TRIBUTARY_HOME reconciles on its own records only.
 */
import type { LakeQuery } from "@tributary/core/catalog";
import { datasetNamed, type TributaryConfig } from "@tributary/core/config";
import { addArrivals, countArrivals, NO_ARRIVALS, reconcileFlow, type RecordScope, type ReconciliationLine, type SentCount } from "@tributary/core/reconcile";

export interface Flow {
  name: string;
  /** What one record of the flow is, in the table: "records", "events", "rows", "change rows". */
  unit: string;
  /** The datasets its records land in (a SQL Server source: one per table). */
  datasets: string[];
  /** Where this run's records are; unset until known (a CDC window closes at the end of the run). */
  scope?: RecordScope;
}

export class DemoTally {
  private readonly flows = new Map<string, { flow: Flow; count: SentCount }>();

  /** Declares a flow (once); later calls with the same name update its scope. */
  declare(flow: Flow): void {
    const known = this.flows.get(flow.name);
    if (known) known.flow = { ...known.flow, ...flow };
    else this.flows.set(flow.name, { flow, count: { sent: 0, refused: 0 } });
  }

  /** Counts `n` records sent on a flow, `refused` of them answered 4xx at the edge. */
  sent(flow: string, n: number, refused = 0): void {
    const entry = this.flows.get(flow);
    if (!entry) throw new Error(`demo: no flow named ${flow} was declared (declared: ${[...this.flows.keys()].join(", ")})`);
    entry.count.sent += n;
    entry.count.refused += refused;
  }

  countOf(flow: string): SentCount {
    return { ...(this.flows.get(flow)?.count ?? { sent: 0, refused: 0 }) };
  }

  names(): string[] {
    return [...this.flows.keys()];
  }

  /** Each flow's sent counts against what its scope finds in bronze and quarantine. */
  async reconcile(lake: LakeQuery, config: TributaryConfig): Promise<ReconciliationLine[]> {
    const lines: ReconciliationLine[] = [];
    for (const { flow, count } of this.flows.values()) {
      if (!flow.scope) throw new Error(`demo: flow ${flow.name} has no scope yet, so its records cannot be found`);
      let arrivals = NO_ARRIVALS;
      for (const dataset of flow.datasets) arrivals = addArrivals(arrivals, await countArrivals(lake, datasetNamed(config, dataset), flow.scope));
      lines.push(reconcileFlow(flow.name, flow.unit, count, arrivals));
    }
    return lines;
  }
}

/**
 * The run's flows that HTTP senders and file drops feed: every stream with an id column, GA, every feed. (A SQL
 * Server source's flow is declared by its CDC driver, only when the demo writes to its stand-in.)
 */
export function declareRunFlows(tally: DemoTally, config: TributaryConfig, run: string): void {
  for (const stream of config.streams) {
    if (!stream.idColumn) continue; // the demo finds a stream's records by id; a stream without one is not driven
    tally.declare({ name: stream.name, unit: "records", datasets: [stream.name], scope: { kind: "id-prefix", column: stream.idColumn, prefix: `${run}-` } });
  }
  if (config.ga) tally.declare({ name: "ga_events", unit: "events", datasets: ["ga_events"], scope: { kind: "id-prefix", column: "client_id", prefix: `${run}.` } });
  for (const feed of config.feeds) {
    tally.declare({ name: feed.name, unit: "rows", datasets: [feed.name], scope: { kind: "file-prefix", prefix: `${landingPrefix(feed.name, run)}` } });
  }
}

/** Where the run's files of a feed are dropped: every key starts with this. */
export function landingPrefix(feed: string, run: string): string {
  return `landing/${feed}/${run}-`;
}

/** The flow name of a SQL Server source's change rows. */
export function flowOfSource(source: string): string {
  return `cdc ${source}`;
}
