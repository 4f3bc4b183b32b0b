/**
 * Where silver and gold tables live, and how a new version is published atomically. A version is written under
 * its own prefix (`silver/<table>/v=<version>/part-*.parquet`); only then does one PUT of `_current.json` switch
 * readers to it (S3 PUTs are atomic: a reader sees the old manifest or the new one). Athena follows the same switch
 * through a symlink manifest (`_symlink_format_manifest/manifest`, Glue's SymlinkTextInputFormat), written with it.
 * A run killed before the switch leaves an unreferenced version that readers never see.
 */
import { z } from "zod";
import { join } from "node:path";
import type { LakeStore, StagedPrefix } from "../lake";
import { InvalidManifestError } from "./errors";

export type TableLayer = "silver" | "gold";

const ManifestFilesSchema = z.array(z.object({ key: z.string(), bytes: z.number().int().min(0) }));

export const TableManifestSchema = z.object({
  layer: z.enum(["silver", "gold"]),
  table: z.string().min(1),
  version: z.string().min(1),
  createdAt: z.string(),
  rows: z.number().int().min(0),
  /** The table's data: exactly what readers (catalog views, the Athena symlink manifest) read. */
  files: ManifestFilesSchema,
  /** Lineage: every bronze file merged into this version (and all earlier ones): the watermark of the next merge. */
  consumed: z.array(z.string()),
  /** The bronze files this version added over the previous one. */
  added: z.array(z.string()),
  previousVersion: z.string().nullable(),
  /** Silver: each expectation's result on this version. */
  quality: z
    .array(z.object({ check: z.string(), column: z.string().nullable(), action: z.string(), failures: z.number(), sample: z.array(z.string()), skipped: z.string().optional() }))
    .optional(),
  /** Silver: rows a `quarantine` expectation moved to `quarantine/silver/<table>/v=<version>/`. */
  quarantined: z.number().int().min(0).optional(),
  /** Silver: the newest `_ingested_at` in this version (ISO): what dataset freshness is measured from. */
  newestRecordAt: z.string().nullable().optional(),
  /**
   * Silver: bronze compactions whose originals may not all be deleted yet (`consumed` already names `into`
   * instead of `from`). The next compaction run finishes the deletes and drops the entry.
   */
  compactions: z.array(z.object({ into: z.string(), from: z.array(z.string()) })).optional(),
  /**
   * Silver, CDC: the deleted keys with their delete's version (`silver/<table>/_tombstones/v=<version>/`), read by
   * the next merge only — never by readers — so a late change older than a delete cannot bring the row back.
   * Absent in versions written before tombstones existed (their deletes are not remembered).
   */
  tombstones: z.object({ rows: z.number().int().min(0), files: ManifestFilesSchema }).optional(),
});
export type TableManifest = z.output<typeof TableManifestSchema>;

export const tablePrefix = (layer: TableLayer, table: string) => `${layer}/${table}/`;
export const versionPrefix = (layer: TableLayer, table: string, version: string) => `${tablePrefix(layer, table)}v=${version}/`;
export const currentManifestKey = (layer: TableLayer, table: string) => `${tablePrefix(layer, table)}_current.json`;
/** Beside the version folders, not in them: readers stage a version's folder and never download tombstones. */
export const tombstonePrefix = (table: string, version: string) => `${tablePrefix("silver", table)}_tombstones/v=${version}/`;
export const symlinkManifestKey = (layer: TableLayer, table: string) => `${tablePrefix(layer, table)}_symlink_format_manifest/manifest`;

/**
 * A sortable, unique version id: `20261121T091502123Z-3f9a`.
 *
 * @example newVersionId(new Date("2026-11-21T09:15:02.123Z"), "3f9a") // "20261121T091502123Z-3f9a"
 */
export function newVersionId(now: Date, suffix: string): string {
  return `${now.toISOString().replace(/[-:.]/g, "")}-${suffix}`;
}

/** The published manifest of a table, or undefined before its first version. */
export async function readCurrentManifest(lake: LakeStore, layer: TableLayer, table: string): Promise<TableManifest | undefined> {
  const key = currentManifestKey(layer, table);
  if (!(await lake.head(key))) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(await lake.get(key)).toString("utf8"));
  } catch (error) {
    throw new InvalidManifestError(key, `not JSON (${(error as Error).message})`);
  }
  const parsed = TableManifestSchema.safeParse(json);
  if (!parsed.success) throw new InvalidManifestError(key, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

/** Switches readers to a written version: the symlink manifest for Athena first, then `_current.json` (the switch). */
export async function publishManifest(lake: LakeStore, manifest: TableManifest): Promise<void> {
  const base = lake.location.replace(/\/$/, "");
  await lake.put(symlinkManifestKey(manifest.layer, manifest.table), manifest.files.map((f) => `${base}/${f.key}`).join("\n") + "\n", { contentType: "text/plain" });
  await lake.put(currentManifestKey(manifest.layer, manifest.table), JSON.stringify(manifest, null, 2), { contentType: "application/json" });
}

/**
 * The local paths of a published version's files: its `v=` prefix staged from the lake (the stage goes into
 * `stages`, for the caller to clean up).
 *
 * @example const paths = await stageVersionFiles(lake, manifest, stages); // ["/tmp/…/part-0.parquet"]
 */
export async function stageVersionFiles(lake: LakeStore, manifest: TableManifest, stages: StagedPrefix[]): Promise<string[]> {
  if (manifest.files.length === 0) return [];
  const prefix = versionPrefix(manifest.layer, manifest.table, manifest.version);
  const stage = await lake.stage(prefix);
  stages.push(stage);
  return manifest.files.map((f) => join(stage.dir, f.key.slice(prefix.length)));
}

/**
 * The local paths of a silver version's tombstone files (staged like `stageVersionFiles`).
 *
 * @example const paths = await stageTombstoneFiles(lake, manifest, stages); // ["/tmp/…/part-0.parquet"]
 */
export async function stageTombstoneFiles(lake: LakeStore, manifest: TableManifest, stages: StagedPrefix[]): Promise<string[]> {
  const files = manifest.tombstones?.files ?? [];
  if (files.length === 0) return [];
  const prefix = tombstonePrefix(manifest.table, manifest.version);
  const stage = await lake.stage(prefix);
  stages.push(stage);
  return files.map((f) => join(stage.dir, f.key.slice(prefix.length)));
}
