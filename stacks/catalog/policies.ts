/**
 * One IAM managed policy per role, for an administrator to attach to the people or roles that act in it (SSO
 * permission sets, federated roles). It grants querying in the role's workgroup and reading the role's tables —
 * their Glue metadata and the lake prefixes their data lives under — and nothing else: no other workgroup, no
 * other table's objects (a role without bronze cannot read `restricted/`), no `*` resources. A role reading tables
 * under `restricted/` (engineer, with bronze) may also decrypt with the restricted key, through S3 only.
 * https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html
 * https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html
 */
import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { type App, use } from "sst/constructs";
// The files, not the package index: the index also exports the DuckDB reader, which `sst.config.ts` cannot bundle.
import { ROLE_ACCESS, type AthenaRole } from "../../packages/core/src/catalog/roles";
import type { CatalogTable } from "../../packages/core/src/catalog/tables";
import type { Construct } from "constructs";
import { Lake } from "../Lake";
import { reachesRestricted } from "../ingest/permissions";
import { glueDatabaseName, resultsPrefix } from "./names";

/** Running queries in one workgroup and reading their state and results; no workgroup management. */
export const ATHENA_QUERY_ACTIONS = [
  "athena:StartQueryExecution",
  "athena:StopQueryExecution",
  "athena:GetQueryExecution",
  "athena:GetQueryResults",
  "athena:GetQueryResultsStream",
  "athena:BatchGetQueryExecution",
  "athena:ListQueryExecutions",
  "athena:GetWorkGroup",
];

/** Reading table metadata (Athena plans a query from it); GetPartitions for bronze's partitioned tables. */
export const GLUE_READ_ACTIONS = ["glue:GetDatabase", "glue:GetTables", "glue:GetTable", "glue:GetPartitions"];

/**
 * Athena writes results with the caller's credentials and reads them back for GetQueryResults; large results are
 * multipart uploads it may abort. https://repost.aws/knowledge-center/athena-output-bucket-error
 */
export const RESULTS_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];

export interface RolePolicyInput {
  app: App;
  role: AthenaRole;
  workgroup: string;
  tables: CatalogTable[];
  lakeBucket: s3.IBucket;
  lakeKey: kms.IKey;
}

export function buildRolePolicy(scope: Construct, { app, role, workgroup, tables, lakeBucket, lakeKey }: RolePolicyInput): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const glueArn = (resource: string, resourceName?: string) => stack.formatArn({ service: "glue", resource, ...(resourceName ? { resourceName } : {}) });
  const databases = [...new Set(tables.map((t) => t.layer))].map((layer) => glueDatabaseName(app, layer));
  const tablePrefixes = [...new Set(tables.map((t) => t.prefix))];
  const results = resultsPrefix(workgroup);
  return new iam.ManagedPolicy(scope, `AthenaPolicy-${role}`, {
    managedPolicyName: app.logicalPrefixedName(`athena-${role}`),
    description: `Query Tributary's lake as ${role}: ${ROLE_ACCESS[role].description}`,
    statements: [
      new iam.PolicyStatement({
        sid: "QueryInOwnWorkgroup",
        actions: ATHENA_QUERY_ACTIONS,
        resources: [stack.formatArn({ service: "athena", resource: "workgroup", resourceName: workgroup })],
      }),
      // Glue checks the catalog and the database as well as the table itself.
      new iam.PolicyStatement({
        sid: "ReadOwnTablesMetadata",
        actions: GLUE_READ_ACTIONS,
        resources: [glueArn("catalog"), ...databases.map((d) => glueArn("database", d)), ...tables.map((t) => glueArn("table", `${glueDatabaseName(app, t.layer)}/${t.name}`))],
      }),
      new iam.PolicyStatement({ sid: "ReadOwnTablesData", actions: ["s3:GetObject"], resources: tablePrefixes.map((p) => lakeBucket.arnForObjects(`${p}*`)) }),
      new iam.PolicyStatement({ sid: "OwnQueryResults", actions: RESULTS_ACTIONS, resources: [lakeBucket.arnForObjects(`${results}*`)] }),
      // Athena lists a table's location (partition folders, the symlink manifest folder) and checks the results
      // bucket's region; listing is limited to the same prefixes.
      new iam.PolicyStatement({
        sid: "ListOwnPrefixes",
        actions: ["s3:ListBucket"],
        resources: [lakeBucket.bucketArn],
        conditions: { StringLike: { "s3:prefix": [...tablePrefixes, results].map((p) => `${p}*`) } },
      }),
      new iam.PolicyStatement({ sid: "LocateLakeBucket", actions: ["s3:GetBucketLocation"], resources: [lakeBucket.bucketArn] }),
      // The lake is SSE-KMS: S3 decrypts reads and asks for data keys for result writes, on the caller's behalf only.
      new iam.PolicyStatement({
        sid: "LakeKeyViaS3",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [lakeKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `s3.${stack.region}.amazonaws.com` } },
      }),
      ...restrictedKeyStatements(tablePrefixes, stack.region),
    ],
  });
}

/**
 * Decrypting with the restricted key, through S3 only, for a role that reads tables under `restricted/`; nothing
 * for the others. Query results are written under the role's results prefix, with the lake key, so no data keys.
 */
function restrictedKeyStatements(tablePrefixes: string[], region: string): iam.PolicyStatement[] {
  if (!tablePrefixes.some(reachesRestricted)) return [];
  // The Catalog stack already depends on Lake; `use` hands back the key it built.
  const { restrictedKey } = use(Lake);
  return [
    new iam.PolicyStatement({
      sid: "RestrictedKeyViaS3",
      actions: ["kms:Decrypt"],
      resources: [restrictedKey.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    }),
  ];
}
