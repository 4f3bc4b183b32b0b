/**
 * One gold build: the report's SQL over the current silver versions of its inputs, written as a new gold version
 * and published atomically. Lineage: the manifest's `consumed` names the silver versions it was built from
 * (`silver/<dataset>@<version>`), so a rerun over unchanged silver changes nothing.
 */
import type { TributaryConfig } from "../config";
import type { StagedPrefix } from "../lake";
import type { Ports } from "../platform";
import { goldInputs, goldSql, silverView } from "./gold-sql";
import { publishManifest, readCurrentManifest, stageVersionFiles } from "./layout";
import { copyToVersion, openDuckDb } from "./version-writer";
import { sqlLiteral } from "../lake/sql-text";

export interface GoldOutcome {
  report: string;
  status: "published" | "unchanged" | "waiting";
  version: string | null;
  rows: number;
  /** For `waiting`: the silver tables that have no version (or no rows) yet. */
  missing?: string[];
}


/**
 * @example await buildGold(ports, config.reports[0]) // { report: "customer_activity", status: "published", rows: 180, … }
 */
export async function buildGold(ports: Ports, report: TributaryConfig["reports"][number], options: { now?: Date } = {}): Promise<GoldOutcome> {
  const lake = ports.lake;
  const inputs = goldInputs(ports.config, report);
  const manifests = await Promise.all(inputs.map(async (d) => [d, await readCurrentManifest(lake, "silver", d)] as const));
  const missing = manifests.filter(([, m]) => !m || m.files.length === 0).map(([d]) => d);
  const previous = await readCurrentManifest(lake, "gold", report.name);
  if (missing.length > 0) return { report: report.name, status: "waiting", version: previous?.version ?? null, rows: previous?.rows ?? 0, missing };

  const consumed = manifests.map(([d, m]) => `silver/${d}@${m!.version}`).sort();
  if (previous && JSON.stringify(previous.consumed) === JSON.stringify(consumed)) return { report: report.name, status: "unchanged", version: previous.version, rows: previous.rows };

  const stages: StagedPrefix[] = [];
  const duck = await openDuckDb();
  try {
    for (const [dataset, manifest] of manifests) {
      const files = (await stageVersionFiles(lake, manifest!, stages)).map(sqlLiteral);
      await duck.conn.run(`CREATE VIEW ${silverView(dataset)} AS SELECT * FROM read_parquet([${files.join(", ")}], hive_partitioning = false)`);
    }
    const now = options.now ?? new Date();
    const written = await copyToVersion(duck.conn, goldSql(ports.config, report), { lake, layer: "gold", table: report.name, now });
    const before = new Set(previous?.consumed ?? []);
    await publishManifest(lake, {
      layer: "gold",
      table: report.name,
      version: written.version,
      createdAt: now.toISOString(),
      rows: written.rows,
      files: written.files,
      consumed,
      added: consumed.filter((c) => !before.has(c)),
      previousVersion: previous?.version ?? null,
    });
    return { report: report.name, status: "published", version: written.version, rows: written.rows };
  } finally {
    await duck.close();
    for (const s of stages) await s.cleanup();
  }
}
