/**
 * The Glue Data Catalog: databases `bronze`, `silver`, `gold` (stage-prefixed, see `names.ts`) and one table per
 * catalog table the config derives (`@tributary/core/catalog`): bronze with partition projection, silver and
 * gold read through their symlink manifests. No crawlers: the config is the schema.
 */
import { Stack } from "aws-cdk-lib";
import * as glue from "aws-cdk-lib/aws-glue";
import type { App } from "sst/constructs";
// The files, not the package index: the index also exports the DuckDB reader, which `sst.config.ts` cannot bundle.
import { CATALOG_LAYERS, type CatalogLayer, type CatalogTable } from "../../packages/core/src/catalog/tables";
import type { Construct } from "constructs";
import { glueDatabaseName } from "./names";

const DESCRIPTIONS: Record<CatalogLayer, string> = {
  bronze: "Tributary bronze: raw records with lineage, append-only, partitioned by dt/hour (PII datasets under restricted/)",
  silver: "Tributary silver: current state per dataset (CDC applied, deduplicated, PII tokenised/masked/dropped), the published version",
  gold: "Tributary gold: report tables (no raw PII; regulatory cells below k suppressed), the published version",
};

export function buildDatabases(scope: Construct, app: App): Map<CatalogLayer, glue.CfnDatabase> {
  const account = Stack.of(scope).account;
  return new Map(
    CATALOG_LAYERS.map((layer) => [
      layer,
      new glue.CfnDatabase(scope, `GlueDatabase-${layer}`, {
        catalogId: account,
        databaseInput: { name: glueDatabaseName(app, layer), description: DESCRIPTIONS[layer] },
      }),
    ]),
  );
}

/** One Glue table per catalog table, in its layer's database, over the lake bucket `bucketName`. */
export function buildGlueTables(scope: Construct, tables: CatalogTable[], databases: Map<CatalogLayer, glue.CfnDatabase>, bucketName: string): Map<CatalogTable, glue.CfnTable> {
  const account = Stack.of(scope).account;
  const built = new Map<CatalogTable, glue.CfnTable>();
  for (const table of tables) {
    const database = databases.get(table.layer)!;
    const definition = table.definition(bucketName);
    const cfn = new glue.CfnTable(scope, `GlueTable-${table.layer}-${table.name}`, {
      catalogId: account,
      databaseName: database.ref,
      tableInput: {
        name: definition.name,
        tableType: "EXTERNAL_TABLE",
        parameters: definition.parameters,
        partitionKeys: definition.partitionKeys,
        storageDescriptor: {
          location: definition.location,
          columns: definition.columns,
          inputFormat: definition.storage.inputFormat,
          outputFormat: definition.storage.outputFormat,
          serdeInfo: { serializationLibrary: definition.storage.serde },
          compressed: false,
          storedAsSubDirectories: false,
        },
      },
    });
    built.set(table, cfn);
  }
  return built;
}
