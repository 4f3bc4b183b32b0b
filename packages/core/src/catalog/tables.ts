/**
 * Every table of the Athena catalog, derived from the config: one bronze and one silver table per dataset, one
 * gold table per report. Each says which lake prefix holds what a query of it reads, which is what a role's
 * S3 access is scoped to, and how Glue declares it.
 */
import { datasets, type Dataset, type TributaryConfig } from "../config";
import { datasetPrefix } from "../lake/keys";
import { tablePrefix } from "../medallion/layout";
import { glueTable, goldGlueTable, silverGlueTable, type GlueTableDefinition, type GoldReport } from "./glue";

interface TableBase {
  name: string;
  /**
   * Lake prefix (ending in `/`) a query of the table reads: bronze partitions; for silver and gold the whole table
   * prefix, which holds the symlink manifest and the version folders it lists.
   */
  prefix: string;
  /** The Glue declaration of the table over the lake bucket `bucket`. */
  definition(bucket: string): GlueTableDefinition;
}

export type CatalogTable =
  | (TableBase & { layer: "bronze" | "silver"; dataset: Dataset })
  | (TableBase & { layer: "gold"; report: GoldReport });

export type CatalogLayer = CatalogTable["layer"];
export const CATALOG_LAYERS: readonly CatalogLayer[] = ["bronze", "silver", "gold"];

/**
 * @example catalogTables(config).map((t) => `${t.layer}.${t.name}`) // ["bronze.customers", …, "silver.customers", …, "gold.daily_kpis", …]
 */
export function catalogTables(config: TributaryConfig): CatalogTable[] {
  const all = datasets(config);
  return [
    ...all.map((dataset): CatalogTable => ({
      layer: "bronze",
      name: dataset.name,
      dataset,
      prefix: datasetPrefix(dataset, "bronze"),
      definition: (bucket) => glueTable(dataset, "bronze", bucket),
    })),
    ...all.map((dataset): CatalogTable => ({
      layer: "silver",
      name: dataset.name,
      dataset,
      prefix: tablePrefix("silver", dataset.name),
      definition: (bucket) => silverGlueTable(dataset, bucket),
    })),
    ...config.reports.map((report): CatalogTable => ({
      layer: "gold",
      name: report.name,
      report,
      prefix: tablePrefix("gold", report.name),
      definition: (bucket) => goldGlueTable(report, bucket),
    })),
  ];
}
