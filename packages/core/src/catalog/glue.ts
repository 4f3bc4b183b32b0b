/**
 * Glue Data Catalog table definitions derived from the config, so Athena needs no crawlers:
 * - bronze (and quarantine): Parquet partitioned by `dt`/`hour`, with partition projection — no MSCK REPAIR.
 *   https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html
 * - silver and gold: the files of the published version, listed by the table's symlink manifest
 *   (`<layer>/<table>/_symlink_format_manifest/manifest`, written by `medallion/layout.ts` before `_current.json`).
 *   Athena reads such a table through Hive's SymlinkTextInputFormat: the location holds text manifests whose lines
 *   are the data files' S3 URIs, and the SerDe reads those files as Parquet — the setup Delta Lake documents for
 *   Athena (https://docs.delta.io/0.7.0/presto-integration.html, "Step 2: Configure Presto or Athena to read the
 *   generated manifests"; also https://docs.databricks.com/delta/presto-compatibility.html): ROW FORMAT SERDE
 *   ParquetHiveSerDe, INPUTFORMAT SymlinkTextInputFormat, OUTPUTFORMAT HiveIgnoreKeyTextOutputFormat,
 *   LOCATION '<table>/_symlink_format_manifest/'. Replacing the one manifest object switches a query from one
 *   version to the next whole, never a mix. Such tables are read-only to Athena, and a column added to silver/gold
 *   needs the Glue table updated (a redeploy) — as Delta's page warns.
 */
import { glueType, QUARANTINE_COLUMNS, type Column, type Dataset, type TributaryConfig } from "../config";
import { datasetPrefix, type Layer } from "../lake/keys";
import { goldColumns } from "../medallion/gold-schema";
import { currentManifestKey, symlinkManifestKey, type TableLayer } from "../medallion/layout";
import { silverColumns } from "./silver-columns";

export interface GlueColumn {
  name: string;
  type: string;
  comment?: string;
}

/** How Glue stores a table: Hive input/output formats and the SerDe that reads rows. */
export interface GlueStorageFormat {
  inputFormat: string;
  outputFormat: string;
  serde: string;
}

export interface GlueTableDefinition {
  database: Layer;
  name: string;
  location: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  parameters: Record<string, string>;
  storage: GlueStorageFormat;
}

/** A gold report as the config declares it. */
export type GoldReport = TributaryConfig["reports"][number];

export const PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

/** Plain Parquet files under the location (bronze, quarantine). */
export const PARQUET_STORAGE: GlueStorageFormat = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serde: PARQUET_SERDE,
};

/** Text manifests under the location, each line a Parquet file's S3 URI (silver, gold). */
export const SYMLINK_PARQUET_STORAGE: GlueStorageFormat = {
  inputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
  serde: PARQUET_SERDE,
};

/** The first day partition projection enumerates; queries should always filter on dt. */
export const PROJECTION_START = "2020-01-01";

const PII_NOTES = {
  tokenise: "PII, tokenised: HMAC-SHA256 of the value under TOKENISE_KEY, hex (joins and counts still work)",
  mask: "PII, masked: first character, then one * per remaining character",
  drop: "PII, raw (silver drops it)",
} as const;

/**
 * @example glueTable(dataset, "bronze", "my-lake").parameters["projection.dt.type"] // "date"
 */
export function glueTable(dataset: Dataset, layer: "bronze" | "quarantine", bucket: string): GlueTableDefinition {
  const location = `s3://${bucket}/${datasetPrefix(dataset, layer)}`;
  const source: Column[] = layer === "bronze" ? dataset.columns : QUARANTINE_COLUMNS;
  // Bronze holds raw values: the note says so, whatever silver does with them.
  const columns = source.map((c) => ({ name: c.name, type: glueType(c.type), ...(c.pii ? { comment: `PII, raw (silver: ${c.pii})` } : {}) }));
  return {
    database: layer,
    name: dataset.name,
    location,
    columns,
    partitionKeys: [
      { name: "dt", type: "date" },
      { name: "hour", type: "int" },
    ],
    parameters: {
      classification: "parquet",
      EXTERNAL: "TRUE",
      "parquet.compression": "ZSTD",
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": `${PROJECTION_START},NOW`,
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      "projection.hour.type": "integer",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
      "storage.location.template": `${location}dt=\${dt}/hour=\${hour}/`,
    },
    storage: PARQUET_STORAGE,
  };
}

/** Where a silver/gold table's symlink manifest lives: the folder of `symlinkManifestKey`. */
export function symlinkLocation(layer: TableLayer, table: string, bucket: string): string {
  const key = symlinkManifestKey(layer, table);
  return `s3://${bucket}/${key.slice(0, key.lastIndexOf("/") + 1)}`;
}

/**
 * A silver or gold table: unpartitioned, read through its symlink manifest, so Athena sees the published version.
 *
 * @example versionedGlueTable("gold", "daily_kpis", goldColumns("daily_kpis"), "my-lake").location
 * // "s3://my-lake/gold/daily_kpis/_symlink_format_manifest/"
 */
export function versionedGlueTable(layer: TableLayer, table: string, columns: Column[], bucket: string): GlueTableDefinition {
  return {
    database: layer,
    name: table,
    location: symlinkLocation(layer, table, bucket),
    columns: columns.map((c) => ({ name: c.name, type: glueType(c.type), ...(c.pii ? { comment: PII_NOTES[c.pii] } : {}) })),
    partitionKeys: [],
    // No `classification`: Glue ETL would take it as "the location holds Parquet", and it holds manifests.
    parameters: { EXTERNAL: "TRUE", "tributary.current_version": `s3://${bucket}/${currentManifestKey(layer, table)}` },
    storage: SYMLINK_PARQUET_STORAGE,
  };
}

/** @example silverGlueTable(datasetNamed(config, "orders"), "my-lake").database // "silver" */
export function silverGlueTable(dataset: Dataset, bucket: string): GlueTableDefinition {
  return versionedGlueTable("silver", dataset.name, silverColumns(dataset), bucket);
}

/** @example goldGlueTable({ name: "daily_kpis", kind: "daily_kpis" }, "my-lake").name // "daily_kpis" */
export function goldGlueTable(report: Pick<GoldReport, "name" | "kind">, bucket: string): GlueTableDefinition {
  return versionedGlueTable("gold", report.name, goldColumns(report.kind), bucket);
}
