/**
 * The Athena catalog over the lake: Glue databases and tables generated from the config (no crawlers), and one
 * Athena workgroup with its IAM managed policy per role — analyst, data_science, regulatory, engineer — each
 * reading only its tables (`@tributary/core/catalog` decides which) and writing encrypted results to its own prefix.
 */
import type * as athena from "aws-cdk-lib/aws-athena";
import type * as iam from "aws-cdk-lib/aws-iam";
import { type StackContext, use } from "sst/constructs";
// The files, not the package index: the index also exports the DuckDB reader, which `sst.config.ts` cannot bundle.
import { ATHENA_ROLES, ROLE_ACCESS, type AthenaRole } from "../packages/core/src/catalog/roles";
import { catalogTables, type CatalogTable } from "../packages/core/src/catalog/tables";
import { Lake } from "./Lake";
import { buildDatabases, buildGlueTables } from "./catalog/glue";
import { glueDatabaseName, workgroupName } from "./catalog/names";
import { suppressCatalogFindings } from "./catalog/nag";
import { buildRolePolicy } from "./catalog/policies";
import { buildWorkgroup } from "./catalog/workgroups";
import { tributaryConfig } from "./shared/config";
import { suppressSstFrameworkFindings } from "./shared/nag";

export interface AthenaRoleResources {
  workgroup: athena.CfnWorkGroup;
  policy: iam.ManagedPolicy;
  /** The catalog tables the role may query. */
  tables: CatalogTable[];
}

export function Catalog({ stack, app }: StackContext) {
  const config = tributaryConfig(app);
  const { lakeBucket, lakeKey } = use(Lake);

  const tables = catalogTables(config);
  const databases = buildDatabases(stack, app);
  const glueTables = buildGlueTables(stack, tables, databases, lakeBucket.bucketName);

  const roles = new Map<AthenaRole, AthenaRoleResources>();
  for (const role of ATHENA_ROLES) {
    const name = workgroupName(app, role);
    const workgroup = buildWorkgroup(stack, role, { name, lakeBucket, lakeKey });
    const readable = tables.filter((t) => ROLE_ACCESS[role].reads(t));
    const policy = buildRolePolicy(stack, { app, role, workgroup: name, tables: readable, lakeBucket, lakeKey });
    roles.set(role, { workgroup, policy, tables: readable });
  }

  suppressCatalogFindings(roles);
  suppressSstFrameworkFindings(stack);
  stack.addOutputs({
    GlueDatabases: [...databases.keys()].map((layer) => glueDatabaseName(app, layer)).join(","),
    ...Object.fromEntries([...roles].flatMap(([role, r]) => [[`Workgroup_${role}`, r.workgroup.name], [`PolicyArn_${role}`, r.policy.managedPolicyArn]])),
  });
  return { databases, glueTables, roles };
}
