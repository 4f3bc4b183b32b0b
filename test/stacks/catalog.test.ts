/**
 * The Catalog stack, read from the synthesized template (deploy mode, cdk-nag on; functions not bundled — the
 * stack has none): Glue databases and tables generated from the config, one Athena workgroup per role with
 * enforced, encrypted, capped settings, and one IAM managed policy per role granting exactly its tables.
 * Expected tables and prefixes are written out here, not derived from the rules, so a change that widens a
 * role's access fails.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogTables } from "@tributary/core/catalog";
import { parseConfig } from "@tributary/core/config";
import { ATHENA_RESULTS_PREFIX } from "../../stacks/catalog/names";
import { BYTES_SCANNED_CUTOFF_PER_QUERY } from "../../stacks/catalog/workgroups";
import sstConfig from "../../sst.config";
import shippedConfig from "../../tributary.config";
import { lakeExports, removeSynthOutput, synthesize, TEST_ACCOUNT, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };

const ROLES = ["analyst", "data_science", "regulatory", "engineer"] as const;
type Role = (typeof ROLES)[number];
const BRONZE = ["restricted/bronze/backend/customers/", "bronze/backend/orders/", "restricted/bronze/files/lab_results/", "bronze/streams/user_events/", "bronze/streams/user_utm/", "bronze/ga/ga_events/"];
const SILVER = ["customers", "orders", "lab_results", "user_events", "user_utm", "ga_events"];
const SILVER_WITHOUT_PII = ["orders", "user_events", "user_utm", "ga_events"];
const GOLD = ["customer_activity", "daily_kpis", "results_by_region"];
/** Object prefixes each role may read, written out. */
const READS: Record<Role, string[]> = {
  analyst: [...SILVER_WITHOUT_PII.map((t) => `silver/${t}/`), ...GOLD.map((t) => `gold/${t}/`)],
  data_science: SILVER.map((t) => `silver/${t}/`),
  regulatory: ["gold/results_by_region/"],
  engineer: [...BRONZE, ...SILVER.map((t) => `silver/${t}/`), ...GOLD.map((t) => `gold/${t}/`)],
};
/** Glue `database/table` each role may read, written out. */
const GLUE_TABLES: Record<Role, string[]> = {
  analyst: [...SILVER_WITHOUT_PII.map((t) => `test_tributary_silver/${t}`), ...GOLD.map((t) => `test_tributary_gold/${t}`)],
  data_science: SILVER.map((t) => `test_tributary_silver/${t}`),
  regulatory: ["test_tributary_gold/results_by_region"],
  engineer: [...SILVER.map((t) => `test_tributary_bronze/${t}`), ...SILVER.map((t) => `test_tributary_silver/${t}`), ...GOLD.map((t) => `test_tributary_gold/${t}`)],
};
const workgroup = (role: Role) => `test-tributary-${role}`;

let synthesized: Synthesized;
let catalog: Template;
/** Imports of the Lake stack's exports, named for readable assertions. */
let imports: Record<string, string>;

beforeAll(async () => {
  synthesized = await synthesize(undefined, { bundle: false });
  catalog = synthesized.templates.Catalog;
  const lake = lakeExports(synthesized.templates.Lake);
  imports = { [lake.bucketArn]: "arn:aws:s3:::LAKE", [lake.bucketName]: "LAKE", [lake.keyArn]: "LAKE_KEY_ARN" };
});
afterAll(removeSynthOutput);

const resources = (template: Template, type: string): Resource[] => Object.values(template.findResources(type)) as Resource[];
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A template value as the string it deploys to: partition `aws`, Lake imports by name, joins joined. */
function render(value: unknown): string {
  if (typeof value === "string") return value;
  const v = value as Record<string, any>;
  if (v.Ref === "AWS::Partition") return "aws";
  if (v["Fn::ImportValue"]) return imports[v["Fn::ImportValue"]] ?? `<import ${v["Fn::ImportValue"]}>`;
  if (v["Fn::Join"]) return (v["Fn::Join"][1] as unknown[]).map(render).join(v["Fn::Join"][0]);
  if (v.Ref) return `<ref ${v.Ref}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function policyOf(role: Role): { statements: any[]; properties: Record<string, any> } {
  const found = resources(catalog, "AWS::IAM::ManagedPolicy").filter((p) => p.Properties.ManagedPolicyName === `test-tributary-athena-${role}`);
  expect(found).toHaveLength(1);
  return { statements: found[0]!.Properties.PolicyDocument.Statement, properties: found[0]!.Properties };
}
const statement = (role: Role, sid: string) => policyOf(role).statements.find((s) => s.Sid === sid);
const renderedResources = (s: any) => asList(s.Resource).map(render).sort();
const workgroupOf = (role: Role) => resources(catalog, "AWS::Athena::WorkGroup").find((w) => w.Properties.Name === workgroup(role))!;

describe("Glue databases and tables", () => {
  it("creates the bronze, silver and gold databases, named with the stage and app", () => {
    const databases = resources(catalog, "AWS::Glue::Database").map((d) => [d.Properties.CatalogId, d.Properties.DatabaseInput.Name]);

    expect(databases).toEqual([
      [TEST_ACCOUNT, "test_tributary_bronze"],
      [TEST_ACCOUNT, "test_tributary_silver"],
      [TEST_ACCOUNT, "test_tributary_gold"],
    ]);
  });

  it("declares one table per dataset and layer and one gold table per report, each in its layer's database", () => {
    // Prepare
    const databaseIds = Object.fromEntries(Object.entries(catalog.findResources("AWS::Glue::Database")).map(([id, d]: [string, any]) => [id, d.Properties.DatabaseInput.Name]));

    // Act
    const tables = resources(catalog, "AWS::Glue::Table").map((t) => `${databaseIds[t.Properties.DatabaseName.Ref]}.${t.Properties.TableInput.Name}`);

    // Assess
    expect(tables.sort()).toEqual([...SILVER.map((t) => `test_tributary_bronze.${t}`), ...SILVER.map((t) => `test_tributary_silver.${t}`), ...GOLD.map((t) => `test_tributary_gold.${t}`)].sort());
  });

  it("reads bronze as projected dt/hour partitions of plain Parquet, PII datasets under restricted/", () => {
    const customers = resources(catalog, "AWS::Glue::Table").find((t) => t.Properties.TableInput.Name === "customers" && t.Properties.TableInput.PartitionKeys.length > 0)!;
    const input = customers.Properties.TableInput;

    expect(render(input.StorageDescriptor.Location)).toBe("s3://LAKE/restricted/bronze/backend/customers/");
    expect(input.PartitionKeys).toEqual([{ Name: "dt", Type: "date" }, { Name: "hour", Type: "int" }]);
    expect(input.Parameters["projection.enabled"]).toBe("true");
    expect(render(input.Parameters["storage.location.template"])).toBe("s3://LAKE/restricted/bronze/backend/customers/dt=${dt}/hour=${hour}/");
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
    });
  });

  it("reads silver and gold through their symlink manifests, unpartitioned, with the columns the core declares", () => {
    const config = parseConfig(shippedConfig);
    for (const table of catalogTables(config).filter((t) => t.layer !== "bronze")) {
      // Prepare
      const expected = table.definition("LAKE");

      // Act
      const found = resources(catalog, "AWS::Glue::Table").filter((t) => t.Properties.TableInput.Name === table.name && t.Properties.TableInput.PartitionKeys.length === 0);
      const input = found.map((t) => t.Properties.TableInput).find((i) => render(i.StorageDescriptor.Location).startsWith(`s3://LAKE/${table.layer}/`));

      // Assess
      expect(input, `${table.layer}.${table.name}`).toBeDefined();
      expect(render(input.StorageDescriptor.Location)).toBe(`s3://LAKE/${table.layer}/${table.name}/_symlink_format_manifest/`);
      expect(input.TableType).toBe("EXTERNAL_TABLE");
      expect(input.StorageDescriptor).toMatchObject({
        InputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
        OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      });
      expect(input.StorageDescriptor.Columns).toEqual(expected.columns.map((c) => ({ Name: c.name, Type: c.type, ...(c.comment ? { Comment: c.comment } : {}) })));
    }
  });
});

describe("Athena workgroups", () => {
  it("has one workgroup per role", () => {
    expect(resources(catalog, "AWS::Athena::WorkGroup").map((w) => w.Properties.Name).sort()).toEqual(ROLES.map(workgroup).sort());
  });

  it.each(ROLES)("%s: enforces its settings, encrypts results with the lake key under its own prefix, and caps bytes scanned", (role) => {
    const configuration = workgroupOf(role).Properties.WorkGroupConfiguration;

    expect(configuration.EnforceWorkGroupConfiguration).toBe(true);
    expect(configuration.BytesScannedCutoffPerQuery).toBe(BYTES_SCANNED_CUTOFF_PER_QUERY);
    expect(BYTES_SCANNED_CUTOFF_PER_QUERY).toBe(10 * 1024 ** 3);
    expect(configuration.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(configuration.RequesterPaysEnabled).toBe(false);
    expect(configuration.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe("SSE_KMS");
    expect(render(configuration.ResultConfiguration.EncryptionConfiguration.KmsKey)).toBe("LAKE_KEY_ARN");
    expect(render(configuration.ResultConfiguration.OutputLocation)).toBe(`s3://LAKE/${ATHENA_RESULTS_PREFIX}${workgroup(role)}/`);
    expect(configuration.ResultConfiguration.ExpectedBucketOwner).toBe(TEST_ACCOUNT);
  });
});

describe("role policies", () => {
  it("has one managed policy per role and no other IAM principal or policy", () => {
    expect(resources(catalog, "AWS::IAM::ManagedPolicy").map((p) => p.Properties.ManagedPolicyName).sort()).toEqual(ROLES.map((r) => `test-tributary-athena-${r}`).sort());
    // SST's own custom-resource handler role is in every SST stack; nothing else may assume anything here.
    expect(Object.keys(catalog.findResources("AWS::IAM::Role")).filter((id) => !id.startsWith("CustomResourceHandler"))).toEqual([]);
    expect(resources(catalog, "AWS::IAM::Policy")).toEqual([]);
  });

  it.each(ROLES)("%s: only allows, never with a wildcard action or a bare * resource", (role) => {
    const { statements } = policyOf(role);

    // Only the engineer reads restricted bronze, so only the engineer may decrypt with the restricted key.
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [...(role === "engineer" ? ["RestrictedKeyViaS3"] : []), "LakeKeyViaS3", "ListOwnPrefixes", "LocateLakeBucket", "OwnQueryResults", "QueryInOwnWorkgroup", "ReadOwnTablesData", "ReadOwnTablesMetadata"].sort(),
    );
    for (const s of statements) {
      expect(s.Effect).toBe("Allow");
      expect(asList(s.Action).filter((a: string) => a.includes("*"))).toEqual([]);
      expect(asList(s.Resource).map(render)).not.toContain("*");
    }
  });

  it.each(ROLES)("%s: queries in its own workgroup only", (role) => {
    const s = statement(role, "QueryInOwnWorkgroup");

    expect(s.Action).toEqual([
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:BatchGetQueryExecution",
      "athena:ListQueryExecutions",
      "athena:GetWorkGroup",
    ]);
    expect(renderedResources(s)).toEqual([`arn:aws:athena:eu-west-1:${TEST_ACCOUNT}:workgroup/${workgroup(role)}`]);
  });

  it.each(ROLES)("%s: reads the Glue metadata of exactly its tables", (role) => {
    const s = statement(role, "ReadOwnTablesMetadata");
    const glue = `arn:aws:glue:eu-west-1:${TEST_ACCOUNT}`;
    const databases = [...new Set(GLUE_TABLES[role].map((t) => t.split("/")[0]))];

    expect(s.Action).toEqual(["glue:GetDatabase", "glue:GetTables", "glue:GetTable", "glue:GetPartitions"]);
    expect(renderedResources(s)).toEqual([`${glue}:catalog`, ...databases.map((d) => `${glue}:database/${d}`), ...GLUE_TABLES[role].map((t) => `${glue}:table/${t}`)].sort());
  });

  it.each(ROLES)("%s: reads the objects of exactly its tables' prefixes and lists nothing else", (role) => {
    const read = statement(role, "ReadOwnTablesData");
    const list = statement(role, "ListOwnPrefixes");

    expect(read.Action).toBe("s3:GetObject");
    expect(renderedResources(read)).toEqual(READS[role].map((p) => `arn:aws:s3:::LAKE/${p}*`).sort());
    expect(list.Action).toBe("s3:ListBucket");
    expect(renderedResources(list)).toEqual(["arn:aws:s3:::LAKE"]);
    expect(list.Condition).toEqual({ StringLike: { "s3:prefix": [...READS[role], `${ATHENA_RESULTS_PREFIX}${workgroup(role)}/`].map((p) => `${p}*`) } });
    expect(statement(role, "LocateLakeBucket")).toMatchObject({ Action: "s3:GetBucketLocation" });
    expect(renderedResources(statement(role, "LocateLakeBucket"))).toEqual(["arn:aws:s3:::LAKE"]);
  });

  it.each(ROLES)("%s: writes and reads query results under its own results prefix only", (role) => {
    const s = statement(role, "OwnQueryResults");

    expect(s.Action).toEqual(["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);
    expect(renderedResources(s)).toEqual([`arn:aws:s3:::LAKE/${ATHENA_RESULTS_PREFIX}${workgroup(role)}/*`]);
  });

  it.each(ROLES)("%s: uses the lake key only through S3", (role) => {
    const s = statement(role, "LakeKeyViaS3");

    expect(s.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(renderedResources(s)).toEqual(["LAKE_KEY_ARN"]);
    expect(s.Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
  });

  it("keeps analysts away from bronze, restricted/ and the silver of PII datasets", () => {
    const text = JSON.stringify(policyOf("analyst").statements.map((s) => asList(s.Resource).map(render)));

    for (const forbidden of ["bronze", "restricted/", "silver/customers/", "silver/lab_results/", "test_tributary_silver/customers", "test_tributary_silver/lab_results"]) {
      expect(text, forbidden).not.toContain(forbidden);
    }
  });

  it("gives the regulatory role results_by_region and nothing else of the lake", () => {
    const { statements } = policyOf("regulatory");
    const lakeObjects = statements.flatMap((s) => asList(s.Resource).map(render)).filter((r) => r.startsWith("arn:aws:s3:::LAKE/"));

    expect(lakeObjects.sort()).toEqual([`arn:aws:s3:::LAKE/${ATHENA_RESULTS_PREFIX}${workgroup("regulatory")}/*`, "arn:aws:s3:::LAKE/gold/results_by_region/*"]);
    expect(JSON.stringify(statements)).not.toMatch(/silver|bronze|daily_kpis|customer_activity/);
  });

  it("gives only engineers the restricted prefix", () => {
    for (const role of ROLES) {
      const restricted = JSON.stringify(policyOf(role).statements.map((s) => asList(s.Resource).map(render))).includes("restricted/");
      expect(restricted, role).toBe(role === "engineer");
    }
  });
});

describe("Catalog stack", () => {
  it("is registered in sst.config.ts after the stacks it builds on", () => {
    // Prepare
    const order: string[] = [];

    // Act
    sstConfig.stacks({ stack: (fn: { name: string }) => order.push(fn.name) } as never);

    // Assess
    expect(order.slice(0, 3)).toEqual(["Lake", "Ingest", "Catalog"]);
    expect(order).toEqual(["Lake", "Ingest", "Catalog", "Medallion", "Operations"]);
  });

  it("passes cdk-nag's AwsSolutions checks with no unsuppressed finding", () => {
    expect(synthesized.nagFindings.Catalog).toEqual([]);
  });

  it("follows the config: a new stream gets bronze and silver tables analysts may read, a renamed extract moves the regulatory role with it", async () => {
    // Prepare
    const changed = structuredClone(shippedConfig) as any;
    changed.streams.push({ name: "page_views", idColumn: "view_id", columns: { view_id: { type: "string", nullable: false }, path: "string" } });
    changed.reports = changed.reports.map((r: any) => (r.kind === "results_by_region" ? { ...r, name: "regulator_extract" } : r));

    // Act
    const template = (await synthesize(changed, { bundle: false })).templates.Catalog;
    const names = resources(template, "AWS::Glue::Table").map((t) => t.Properties.TableInput.Name);
    const policy = (role: Role) => JSON.stringify(resources(template, "AWS::IAM::ManagedPolicy").find((p) => p.Properties.ManagedPolicyName === `test-tributary-athena-${role}`)!.Properties.PolicyDocument);

    // Assess
    expect(names.filter((n) => n === "page_views")).toHaveLength(2);
    expect(names).toContain("regulator_extract");
    expect(policy("analyst")).toContain("/silver/page_views/*");
    expect(policy("analyst")).not.toContain("bronze/streams/page_views/");
    expect(policy("regulatory")).toContain("/gold/regulator_extract/*");
    expect(policy("regulatory")).not.toContain("results_by_region");
  });
});
