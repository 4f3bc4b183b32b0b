/**
 * Object keys of the lake — one bucket, the same keys locally (`$TRIBUTARY_HOME/lake/`) and on S3.
 *
 * - `landing/<feed>/…`                                   partner drops (S3 notifications start ingestion)
 * - `bronze/<source>/<dataset>/dt=YYYY-MM-DD/hour=HH/…`    raw records + lineage, append-only
 * - `restricted/bronze/<source>/<dataset>/…`             the same, for datasets holding raw PII (own KMS key, engineers only)
 * - `quarantine/<source>/<dataset>/dt=YYYY-MM-DD/…`       rejected records with their reason
 * - `silver/<dataset>/…`, `gold/<report>/…`
 */
import type { Dataset } from "../config";

export type Layer = "bronze" | "quarantine" | "silver" | "gold";

export const RESTRICTED_PREFIX = "restricted/";
export const LANDING_PREFIX = "landing/";

/** Prefix (ending in `/`) under which a dataset's files of one layer live. */
export function datasetPrefix(dataset: Pick<Dataset, "name" | "source" | "restricted">, layer: Layer): string {
  switch (layer) {
    case "bronze":
      return `${dataset.restricted ? RESTRICTED_PREFIX : ""}bronze/${dataset.source}/${dataset.name}/`;
    case "quarantine":
      // Quarantined rows keep the raw record, so PII datasets quarantine under the restricted prefix too.
      return `${dataset.restricted ? RESTRICTED_PREFIX : ""}quarantine/${dataset.source}/${dataset.name}/`;
    case "silver":
      return `silver/${dataset.name}/`;
    case "gold":
      return `gold/${dataset.name}/`;
  }
}

/** `dt=YYYY-MM-DD/hour=HH/` */
export function partitionPath(p: { dt: string; hour: string }): string {
  return `dt=${p.dt}/hour=${p.hour}/`;
}

/** Landing prefix of a file feed. */
export function landingPrefix(feed: string): string {
  return `${LANDING_PREFIX}${feed}/`;
}

/**
 * A key is safe when it has no empty, `.` or `..` segments, no backslashes or control characters and no leading `/`.
 * Both adapters refuse unsafe keys, so the filesystem adapter can never escape its root.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key.length === 0) return "empty key";
  if (key.length > 1024) return "key longer than 1024 bytes";
  if (key.startsWith("/")) return "key starts with /";
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(key)) return "key contains a backslash or control character";
  const segments = key.split("/");
  const body = key.endsWith("/") ? segments.slice(0, -1) : segments;
  if (body.some((s) => s === "" || s === "." || s === "..")) return "key has an empty, '.' or '..' segment";
  return undefined;
}

/** Batch ids become part of file names, so they are restricted to characters safe in every key and path. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Deterministic name of the n-th file a batch writes into one partition: re-running the same batch with the
 * same input produces the same names, so the retry overwrites instead of duplicating.
 *
 * @example partFileName("b-42", 3) // "part-b-42-0003.parquet"
 */
export function partFileName(batchId: string, chunkIndex: number): string {
  return `part-${batchId}-${String(chunkIndex).padStart(4, "0")}.parquet`;
}
