/**
 * The demo's CDC driver: the embedded SQL Server stand-in (seeded on first start) gets inserts, updates, deletes
 * and — once per TRIBUTARY_HOME — a schema change (orders gains a column, so a second capture instance takes
 * over), and the cdc-poll schedule lands them. Every change row the driver makes is counted on the source's flow
 * (an update is two rows: its before and after images), and the run's changes are found in bronze by the LSN
 * window the driver opens before its first change and closes after its last.
 */
import { ChangeGenerator, compareLsn, listOffsets, type EmbeddedChangeSource, type Resume, type TableOffset } from "@tributary/core/cdc";
import type { SqlServerSource, TributaryConfig } from "@tributary/core/config";
import type { LocalPlatform } from "@tributary/core/local";
import { flowOfSource, type DemoTally } from "./demo-tally";

type Dml = "insert" | "update" | "delete";

const MAX_CATCH_UP_POLLS = 5;

export class CdcDriver {
  private windowStart?: string;
  private windowEnd?: string;
  private readonly generator: ChangeGenerator;

  private constructor(
    private readonly platform: LocalPlatform,
    readonly source: SqlServerSource,
    readonly embedded: EmbeddedChangeSource,
    private readonly tally: DemoTally,
    config: TributaryConfig,
  ) {
    this.generator = new ChangeGenerator(embedded, config, { seed: Date.now() % 100_000 });
    tally.declare({ name: this.flow, unit: "change rows", datasets: source.tables.map((t) => t.name) });
  }

  /** One driver per source running on the embedded stand-in (a real SQL Server is not written to by the demo). */
  static async openAll(platform: LocalPlatform, config: TributaryConfig, tally: DemoTally): Promise<CdcDriver[]> {
    const drivers: CdcDriver[] = [];
    for (const source of config.sources) {
      const embedded = await platform.changeSources.embedded(source.name);
      if (embedded) drivers.push(new CdcDriver(platform, source, embedded, tally, config));
    }
    return drivers;
  }

  get flow(): string {
    return flowOfSource(this.source.name);
  }

  /** Lands what the source holds before the run (the initial snapshot on a fresh home), then opens the run's window. */
  async openWindow(): Promise<void> {
    await this.poll();
    this.windowStart = await this.maxLsn();
  }

  /** `n` generated changes across the source's tables. */
  async change(n: number): Promise<void> {
    const made = await this.generator.step(n);
    this.tally.sent(this.flow, made.inserts + 2 * made.updates + made.deletes);
  }

  /** One statement of the demo's own (the sample customer); returns the rows it changed. */
  async execute(kind: Dml, sql: string): Promise<number> {
    const affected = (await this.embedded.db.query(sql)).affectedRows ?? 0;
    this.tally.sent(this.flow, kind === "update" ? 2 * affected : affected);
    return affected;
  }

  /**
   * Orders gains a column once per home: SQL Server needs a second capture instance for it, and the poller
   * switches to it. Returns the new instance's name, or undefined when the column exists already.
   */
  async schemaChangeOnce(): Promise<string | undefined> {
    const orders = this.source.tables.find((t) => t.name === "orders");
    if (!orders) return undefined;
    const instances = await this.embedded.captureInstances(orders.table);
    if (instances.flatMap((i) => i.columns.map((c) => c.name)).includes("channel")) return undefined;
    const instance = await this.embedded.addColumn(orders.table, "channel", "string");
    await this.execute("update", `UPDATE ${orders.table} SET channel = 'web', status = 'paid' WHERE order_id = (SELECT min(order_id) FROM ${orders.table})`);
    return instance.name;
  }

  /** Runs the source's cdc-poll schedule now, as its timer would; a table's poll error fails the demo. */
  async poll(): Promise<void> {
    await this.platform.runSchedule(`cdc-poll-${this.source.name}`);
    const failed = (await listOffsets(this.platform.ports, this.source.name)).filter((o) => o.lastError);
    if (failed.length > 0) throw new Error(`demo: CDC poll of ${this.source.name} failed: ${failed.map((o) => `${o.table}: ${o.lastError}`).join("; ")}`);
  }

  /** Closes the run's window at the source's max LSN and polls until every table has read past it. */
  async closeWindow(): Promise<void> {
    if (!this.windowStart) throw new Error(`demo: the CDC window of ${this.source.name} was never opened`);
    const end = await this.maxLsn();
    for (let polls = 0; polls < MAX_CATCH_UP_POLLS; polls += 1) {
      await this.poll();
      const offsets = await listOffsets(this.platform.ports, this.source.name);
      if (offsets.length === this.source.tables.length && offsets.every((o) => readPast(o, end))) {
        this.windowEnd = end;
        this.tally.declare({ name: this.flow, unit: "change rows", datasets: this.source.tables.map((t) => t.name), scope: { kind: "lsn-range", after: this.windowStart, upTo: end } });
        return;
      }
    }
    throw new Error(`demo: CDC of ${this.source.name} did not read up to ${end} in ${MAX_CATCH_UP_POLLS} polls`);
  }

  /** The run's window, once closed: bronze rows with `_lsn` in (start, end] are this run's changes. */
  get window(): { after: string; upTo: string } | undefined {
    return this.windowStart && this.windowEnd ? { after: this.windowStart, upTo: this.windowEnd } : undefined;
  }

  private async maxLsn(): Promise<string> {
    const lsn = await this.embedded.maxLsn();
    if (!lsn) throw new Error(`demo: the stand-in of ${this.source.name} has recorded no LSN`);
    return lsn;
  }
}

/** Whether the offset has read every change up to and including `lsn`. */
function readPast(offset: TableOffset, lsn: string): boolean {
  const resume: Resume | undefined = offset.resume;
  if (!resume) return false;
  if (resume.kind === "after") return compareLsn(resume.lsn, lsn) >= 0;
  return compareLsn(resume.kind === "from" ? resume.lsn : resume.position.lsn, lsn) > 0;
}
