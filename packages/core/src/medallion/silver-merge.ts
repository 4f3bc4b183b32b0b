/**
 * One silver merge: the dataset's bronze files not yet merged (the manifest's `consumed` list is the watermark) are
 * projected to silver (PII treated) and merged with the current silver version by DuckDB, written as a new version
 * and published atomically. A rerun with no new bronze changes nothing; a run killed before publishing leaves the
 * current version in place, so the rerun computes the same result.
 */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Dataset } from "../config";
import { datasetPrefix, type LakeStore, type StagedPrefix } from "../lake";
import type { Ports } from "../platform";
import { LinkHashKeyMissingError } from "../link/errors";
import { loadEntityRoots } from "./entity-sql";
import { TokeniseKeyMissingError } from "./errors";
import { publishManifest, readCurrentManifest, stageTombstoneFiles, stageVersionFiles, tombstonePrefix } from "./layout";
import type { QualityResult } from "./quality";
import { runQualityChecks } from "./quality-run";
import { mergeSql, tombstoneSql } from "./silver-sql";
import { unmergedBronze } from "./watermark";
import { copyToVersion, nextVersionId, openDuckDb, putVersion, writeLocalParquet, type LocalParquet } from "./version-writer";
import { sqlLiteral } from "../lake/sql-text";

export interface SilverOutcome {
  dataset: string;
  status: "published" | "unchanged";
  version: string | null;
  rows: number;
  /** Bronze files merged by this run. */
  added: number;
  /** Rows a `quarantine` expectation moved out of this version. */
  quarantined?: number;
  quality?: QualityResult[];
}

/**
 * @example await mergeSilver(ports, datasetNamed(config, "orders")) // { status: "published", version: "20261121T…", rows: 215, added: 3 }
 */
export interface MergeSilverOptions {
  now?: Date;
  /** Merged entity → survivor (`loadEntityRoots`); loaded from the link table when not given. */
  entityRoots?: Map<string, string>;
}

export async function mergeSilver(ports: Ports, dataset: Dataset, options: MergeSilverOptions = {}): Promise<SilverOutcome> {
  const lake = ports.lake;
  const previous = await readCurrentManifest(lake, "silver", dataset.name);
  const bronzePrefix = datasetPrefix(dataset, "bronze");
  const added = await unmergedBronze(lake, dataset, previous);
  if (added.length === 0) return { dataset: dataset.name, status: "unchanged", version: previous?.version ?? null, rows: previous?.rows ?? 0, added: 0 };

  const tokenises = dataset.columns.some((c) => c.pii === "tokenise");
  const tokeniseKey = tokenises ? await ports.secrets.get("TOKENISE_KEY") : undefined;
  if (tokenises && !tokeniseKey) throw new TokeniseKeyMissingError(dataset.name);
  const linkKeys = ports.config.links.keys;
  const hashesLinks = Object.values(dataset.linkKeys).some((k) => linkKeys[k]?.hashed);
  const linkHashKey = hashesLinks ? await ports.secrets.get("LINK_HASH_KEY") : undefined;
  if (hashesLinks && !linkHashKey) throw new LinkHashKeyMissingError(Object.values(dataset.linkKeys).find((k) => linkKeys[k]?.hashed)!);
  const roots = options.entityRoots ?? (Object.keys(dataset.linkKeys).length > 0 ? await loadEntityRoots(ports.dynamo, ports.tableName("link_graph")) : new Map<string, string>());

  const stages: StagedPrefix[] = [];
  const locals: LocalParquet[] = [];
  const duck = await openDuckDb();
  try {
    const bronze = added.length > 0 ? await lake.stage(bronzePrefix) : undefined;
    if (bronze) stages.push(bronze);
    const previousFiles = previous ? await stageVersionFiles(lake, previous, stages) : [];
    const previousTombstones = previous ? await stageTombstoneFiles(lake, previous, stages) : [];
    const inputs = { bronze: added.map((k) => join(bronze!.dir, k.slice(bronzePrefix.length))), tombstones: previousTombstones, tokeniseKey, links: { keys: linkKeys, hashKey: linkHashKey } };
    await loadEntityRootsTable(duck.conn, roots);
    const now = options.now ?? new Date();
    // The merge goes straight to Parquet on local disk, never into a table in memory; the quality checks read
    // `merged`, a view of those files — exactly the rows that will be published.
    let local = await writeLocalParquet(duck.conn, mergeSql(dataset, { ...inputs, previous: previousFiles }));
    locals.push(local);
    await viewMerged(duck.conn, local);
    // While the quality checks run, the version's files go to the lake (nothing reads them before the manifest
    // names them; they are deleted again if a check fails or quarantines rows), and a second connection (DuckDB
    // runs both at once) computes the newest record time and the tombstones, which read `merged` too: a key whose
    // latest version is quarantined keeps its older delete.
    const tombstones = tombstoneSql(dataset, { ...inputs, live: "merged" });
    let version = nextVersionId(now);
    const put = (files: LocalParquet, keyPrefix?: string) => putVersion(files, { lake, layer: "silver", table: dataset.name, now, version, ...(keyPrefix ? { keyPrefix } : {}) });
    const side = await duck.connect();
    const sideWork = (async () => {
      const newestRecordAt = await newestIngestedAt(side);
      const tombs = tombstones ? await writeLocalParquet(side, tombstones) : undefined;
      if (tombs) locals.push(tombs);
      return { newestRecordAt, tombs, kept: tombs ? await put(tombs, tombstonePrefix(dataset.name, version)) : undefined };
    })();
    const [checked, sideDone, putDone] = await Promise.allSettled([runQualityChecks(duck.conn, { config: ports.config, lake, dataset, now, stages }), sideWork, put(local)]);
    const unpublished = [...(putDone.status === "fulfilled" ? putDone.value.files : []), ...(sideDone.status === "fulfilled" ? (sideDone.value.kept?.files ?? []) : [])];
    if (checked.status === "rejected" || sideDone.status === "rejected" || putDone.status === "rejected") {
      await discard(lake, unpublished);
      throw [checked, sideDone, putDone].find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason;
    }
    const quality = checked.value;
    const { newestRecordAt } = sideDone.value;
    let [written, keptTombstones] = [putDone.value, sideDone.value.kept];
    if (quality.quarantined > 0) {
      // Rare: the version is written again without the quarantined rows (read back in order, so still sorted),
      // under a new version id, and the files already put are deleted.
      await discard(lake, unpublished);
      version = nextVersionId(now);
      local = await writeLocalParquet(duck.conn, "SELECT * FROM merged WHERE _record_id NOT IN (SELECT _record_id FROM quarantined WHERE _record_id IS NOT NULL)");
      locals.push(local);
      await viewMerged(duck.conn, local);
      const tombs = tombstones ? await writeLocalParquet(duck.conn, tombstones) : undefined;
      if (tombs) locals.push(tombs);
      [written, keptTombstones] = await Promise.all([put(local), tombs ? put(tombs, tombstonePrefix(dataset.name, version)) : undefined]);
      await copyToVersion(duck.conn, "SELECT * FROM quarantined ORDER BY _record_id", { lake, layer: "silver", table: dataset.name, now, keyPrefix: `quarantine/silver/${dataset.name}/v=${version}/` });
    }
    await publishManifest(lake, {
      layer: "silver",
      table: dataset.name,
      version: written.version,
      createdAt: now.toISOString(),
      rows: written.rows,
      files: written.files,
      consumed: [...(previous?.consumed ?? []), ...added].sort(),
      added,
      previousVersion: previous?.version ?? null,
      quality: quality.results,
      quarantined: quality.quarantined,
      newestRecordAt,
      ...(previous?.compactions ? { compactions: previous.compactions } : {}),
      ...(keptTombstones ? { tombstones: { rows: keptTombstones.rows, files: keptTombstones.files } } : {}),
    });
    return { dataset: dataset.name, status: "published", version: written.version, rows: written.rows, added: added.length, quarantined: quality.quarantined, quality: quality.results };
  } finally {
    await Promise.all([duck.close(), ...[...locals, ...stages].map((l) => l.cleanup())]);
  }
}

/**
 * Deletes files of a version that will not be published (a check failed, or rows were quarantined). They were
 * never named by a manifest, so no reader saw them; a delete that fails leaves unreferenced files, never wrong data.
 */
async function discard(lake: LakeStore, files: { key: string }[]): Promise<void> {
  await Promise.all(files.map((f) => lake.delete(f.key).catch(() => undefined)));
}

/** `merged`: the rows of a written version, for the quality checks (and the tombstones, which must not shadow them). */
async function viewMerged(conn: DuckDBConnection, local: LocalParquet): Promise<void> {
  await conn.run(`CREATE OR REPLACE VIEW merged AS SELECT * FROM read_parquet([${local.paths.map(sqlLiteral).join(", ")}], hive_partitioning = false)`);
}

/** The newest `_ingested_at` in the merged table, as ISO text (null for an empty table). */
async function newestIngestedAt(conn: DuckDBConnection): Promise<string | null> {
  const reader = await conn.runAndReadAll(`SELECT strftime(max(_ingested_at)::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ') FROM merged`);
  const value = reader.getRows()[0]?.[0];
  return typeof value === "string" ? value : null;
}

/** `entity_roots` (merged entity → survivor) as a table the merge joins. */
async function loadEntityRootsTable(conn: DuckDBConnection, roots: Map<string, string>): Promise<void> {
  await conn.run("CREATE TABLE entity_roots (entity VARCHAR, root VARCHAR)");
  if (roots.size === 0) return;
  const appender = await conn.createAppender("entity_roots");
  for (const [entity, root] of roots) {
    appender.appendVarchar(entity);
    appender.appendVarchar(root);
    appender.endRow();
  }
  appender.closeSync();
}
