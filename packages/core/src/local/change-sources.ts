/**
 * Change sources of the local platform: a SQL Server source whose connection secret is set (an environment
 * variable locally) reads that SQL Server; one without runs on the embedded PGlite stand-in, persisted under
 * TRIBUTARY_HOME/sources/<name> and seeded with sample rows the first time it is created.
 */
import { existsSync } from "node:fs";
import { ChangeGenerator, EmbeddedChangeSource, embeddedTablesOf, openSqlServerChangeSource, type ChangeSource } from "../cdc";
import { datasets, type SqlServerSource, type TributaryConfig } from "../config";
import type { ChangeSourcePort, SecretName, SecretsPort } from "../platform";

/** Rows per table the stand-in is seeded with when first created. */
export const EMBEDDED_SEED_ROWS = 200;
/** How often the stand-in's "capture job" records an LSN while the database is quiet (SQL Server's does so too). */
export const CAPTURE_JOB_TICK_MS = 10_000;

export class LocalChangeSources implements ChangeSourcePort {
  private readonly opened = new Map<string, Promise<ChangeSource>>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: TributaryConfig,
    private readonly secrets: SecretsPort,
    /** Directory for embedded stand-ins; undefined keeps them in memory. */
    private readonly dir: string | undefined,
  ) {}

  open(source: SqlServerSource): Promise<ChangeSource> {
    let opened = this.opened.get(source.name);
    if (!opened) {
      opened = this.openOnce(source);
      this.opened.set(source.name, opened);
      opened.catch(() => this.opened.delete(source.name));
    }
    return opened;
  }

  /** The embedded stand-in of a source (for the demo's change generator), or undefined when it reads SQL Server. */
  async embedded(sourceName: string): Promise<EmbeddedChangeSource | undefined> {
    const source = this.config.sources.find((s) => s.name === sourceName);
    if (!source) return undefined;
    const opened = await this.open(source);
    return opened instanceof EmbeddedChangeSource ? opened : undefined;
  }

  async close(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    const all = [...this.opened.values()];
    this.opened.clear();
    for (const opened of all) await (await opened.catch(() => undefined))?.close();
  }

  private async openOnce(source: SqlServerSource): Promise<ChangeSource> {
    if (source.connectionSecret && (await this.secrets.get(source.connectionSecret as SecretName))) return openSqlServerChangeSource(source, this.secrets);
    const dataDir = this.dir ? `${this.dir}/${source.name}` : undefined;
    const fresh = !dataDir || !existsSync(dataDir);
    const tables = embeddedTablesOf(source, datasets(this.config).filter((d) => d.kind === "cdc" && d.source === source.name));
    const embedded = await EmbeddedChangeSource.open({ ...(dataDir ? { dataDir } : {}), tables });
    if (fresh) {
      await new ChangeGenerator(embedded, this.config).seed(EMBEDDED_SEED_ROWS);
      await embedded.captureJobTick();
    }
    const timer = setInterval(() => void embedded.captureJobTick().catch(() => undefined), CAPTURE_JOB_TICK_MS);
    timer.unref();
    this.timers.push(timer);
    return embedded;
  }
}
