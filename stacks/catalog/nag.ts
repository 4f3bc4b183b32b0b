/**
 * cdk-nag findings on the Catalog stack that are deliberate, each suppressed on the exact policy and resource with
 * the reason. Everything else cdk-nag's AwsSolutions pack reports is fixed in the stack instead.
 */
import { NagSuppressions } from "cdk-nag";
import type { AthenaRole } from "@tributary/core/catalog";
import type { AthenaRoleResources } from "../Catalog";
import { resultsPrefix } from "./names";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** IAM5 on object ARNs `<lake bucket>/<prefix>*`, for exactly the role's table prefixes and its results prefix. */
export function suppressCatalogFindings(roles: Map<AthenaRole, AthenaRoleResources>): void {
  for (const [role, { policy, tables, workgroup }] of roles) {
    const prefixes = [...new Set([...tables.map((t) => t.prefix), resultsPrefix(workgroup.name)])];
    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: "AwsSolutions-IAM5",
        reason: `Lake object access of the ${role} role is scoped to the key prefixes of the tables it may query and to its own Athena results prefix (${prefixes.join(", ")}); a prefix needs the trailing *.`,
        appliesTo: prefixes.map((p) => ({ regex: `/^Resource::<[A-Za-z0-9]+\\.Arn>\\/${escape(p)}\\*$/` })),
      },
    ]);
  }
}
