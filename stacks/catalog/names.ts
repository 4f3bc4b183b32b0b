/**
 * Names of the catalog's resources. Glue databases and Athena workgroups are account-wide per region, so, like
 * the other stacks' tables and queues, they carry the stage and app name: two stages in one account never collide.
 * Glue database names keep to what Athena accepts unquoted (lower-case letters, digits, underscores):
 * https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
 */
import type { App } from "sst/constructs";
import type { AthenaRole, CatalogLayer } from "@tributary/core/catalog";

/** Where each workgroup's query results go in the lake bucket: `athena-results/<workgroup>/`. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";

/**
 * `<stage>_<app>_<layer>`, e.g. `prod_tributary_silver`: what analysts write where the local mode says `silver`.
 *
 * @example glueDatabaseName(app, "silver") // "prod_tributary_silver"
 */
export function glueDatabaseName(app: App, layer: CatalogLayer): string {
  return `${app.stage}_${app.name}_${layer}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** `<stage>-<app>-<role>`, e.g. `prod-tributary-analyst`. */
export function workgroupName(app: App, role: AthenaRole): string {
  return app.logicalPrefixedName(role);
}

export function resultsPrefix(workgroup: string): string {
  return `${ATHENA_RESULTS_PREFIX}${workgroup}/`;
}
