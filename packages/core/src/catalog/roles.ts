/**
 * Who may query what: one Athena workgroup (and IAM policy) per role, each reading a fixed set of catalog tables.
 * The rules are about PII: raw PII lives only in bronze of datasets that declare PII columns (under the restricted
 * prefix); silver holds it tokenised, masked or dropped; gold holds none (entities by id, small cells suppressed).
 */
import type { TributaryConfig } from "../config";
import { catalogTables, type CatalogTable } from "./tables";

export const ATHENA_ROLES = ["analyst", "data_science", "regulatory", "engineer"] as const;
export type AthenaRole = (typeof ATHENA_ROLES)[number];

export interface RoleAccess {
  description: string;
  reads(table: CatalogTable): boolean;
}

export const ROLE_ACCESS: Readonly<Record<AthenaRole, RoleAccess>> = {
  analyst: {
    description: "BI and reporting: every gold report, and silver of datasets that declare no PII column",
    // Even treated PII stays out of reach: a masked name or a tokenised email still singles a person out.
    reads: (t) => t.layer === "gold" || (t.layer === "silver" && !t.dataset.restricted),
  },
  data_science: {
    description: "Data science: all of silver, where PII is tokenised (still joinable), masked or dropped",
    reads: (t) => t.layer === "silver",
  },
  regulatory: {
    description: "Regulatory reporting: the results_by_region extract only (small cells suppressed)",
    reads: (t) => t.layer === "gold" && t.report.kind === "results_by_region",
  },
  engineer: {
    description: "Platform engineers: every table, bronze included (raw PII under restricted/)",
    reads: () => true,
  },
};

/**
 * The catalog tables a role may query.
 *
 * @example tablesForRole(config, "regulatory").map((t) => `${t.layer}.${t.name}`) // ["gold.results_by_region"]
 */
export function tablesForRole(config: TributaryConfig, role: AthenaRole): CatalogTable[] {
  return catalogTables(config).filter((t) => ROLE_ACCESS[role].reads(t));
}
