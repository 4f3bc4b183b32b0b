/**
 * Glue Data Catalog table definitions derived from the config: one table per dataset and layer, Parquet,
 * partitioned by `dt`/`hour` with partition projection, so Athena needs no crawlers and no MSCK REPAIR.
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html
 */
import { glueType, QUARANTINE_COLUMNS, type Column, type Dataset } from "../config";
import { datasetPrefix, type Layer } from "../lake/keys";

export interface GlueColumn {
  name: string;
  type: string;
}

export interface GlueTableDefinition {
  database: Layer;
  name: string;
  location: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  parameters: Record<string, string>;
}

/** The first day partition projection enumerates; queries should always filter on dt. */
export const PROJECTION_START = "2020-01-01";

/**
 * @example glueTable(dataset, "bronze", "my-lake").parameters["projection.dt.type"] // "date"
 */
export function glueTable(dataset: Dataset, layer: "bronze" | "quarantine", bucket: string): GlueTableDefinition {
  const location = `s3://${bucket}/${datasetPrefix(dataset, layer)}`;
  const source: Column[] = layer === "bronze" ? dataset.columns : QUARANTINE_COLUMNS;
  const columns = source.map((c) => ({ name: c.name, type: glueType(c.type) }));
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
  };
}
