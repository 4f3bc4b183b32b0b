/**
 * Who may use the restricted key (raw PII under restricted/), read from the synthesized templates (deploy mode,
 * functions not bundled): the functions whose wiring reads or writes restricted/ — writers get data keys, readers
 * only Decrypt, both through S3 alone — the engineer Athena role (Decrypt), and nobody else. Every function is
 * told the key's ARN. Expected access is written out here, not derived from the wiring, so a wiring change that
 * widens it fails.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@tributary/core/config";
import { wiring } from "@tributary/core/wiring";
import { AWS_ENV } from "../../packages/core/src/platform/aws-env";
import { reachesRestricted } from "../../stacks/ingest/permissions";
import shippedConfig from "../../tributary.config";
import { importOf, removeSynthOutput, synthesize, TEST_REGION, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };

/** The shipped config's functions by what they do under restricted/, written out. */
const WRITES_RESTRICTED = ["stream-bronze", "file-ingest", "cdc-poll", "medallion-silver"];
const READS_RESTRICTED_ONLY = ["link", "medallion-plan"];
const NO_RESTRICTED = ["events-api", "ga-proxy", "ga-bronze", "ga-forward", "report-api", "medallion-gold"];
const VIA_S3 = { StringEquals: { "kms:ViaService": `s3.${TEST_REGION}.amazonaws.com` } };

let synthesized: Synthesized;
let ingest: Template;
let catalog: Template;
/** How Ingest and Catalog refer to the restricted key's ARN: an import of the Lake stack's export. */
let restrictedKeyArn: unknown;

beforeAll(async () => {
  synthesized = await synthesize(undefined, { bundle: false });
  ({ Ingest: ingest, Catalog: catalog } = synthesized.templates);
  restrictedKeyArn = importOf(restrictedKeyExport(synthesized.templates.Lake));
});
afterAll(removeSynthOutput);

/** The name under which the Lake stack exports the ARN of its key for restricted/. */
function restrictedKeyExport(lake: Template): string {
  const keys = Object.entries(lake.findResources("AWS::KMS::Key")).filter(([, k]) => /^Encrypts the Tributary lake.s objects under restricted\//.test(k.Properties.Description));
  expect(keys).toHaveLength(1);
  const arn = JSON.stringify({ "Fn::GetAtt": [keys[0]![0], "Arn"] });
  const output = Object.values(lake.findOutputs("*")).find((o: any) => JSON.stringify(o.Value) === arn && o.Export) as any;
  expect(output, "an export of the restricted key's ARN").toBeDefined();
  return output.Export.Name;
}

const resourcesIn = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const functionNamed = (name: string) => {
  const found = resourcesIn(ingest, "AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name);
  expect(found, `Lambda for ${name}`).toBeDefined();
  return found!;
};
/** Every statement of every policy on the function's role. */
const statementsOf = (name: string): any[] => {
  const roleId = functionNamed(name)[1].Properties.Role["Fn::GetAtt"][0];
  return resourcesIn(ingest, "AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};
const onRestrictedKey = (statements: any[]) => statements.filter((s) => asList(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(restrictedKeyArn)));

describe("the restricted key in the Ingest stack", () => {
  it("covers every wired function in exactly one of the written-out groups", () => {
    const names = wiring(parseConfig(shippedConfig), { lakeBucket: "lake" }).functions.map((f) => f.name);

    expect([...names].sort()).toEqual([...WRITES_RESTRICTED, ...READS_RESTRICTED_ONLY, ...NO_RESTRICTED].sort());
  });

  it.each(WRITES_RESTRICTED)("%s (writes restricted/) may decrypt and get data keys with it, through S3 only", (name) => {
    expect(onRestrictedKey(statementsOf(name))).toEqual([
      { Sid: "RestrictedKeyViaS3", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: restrictedKeyArn, Condition: VIA_S3 },
    ]);
  });

  it.each(READS_RESTRICTED_ONLY)("%s (reads restricted/ only) may only decrypt with it, through S3 only", (name) => {
    expect(onRestrictedKey(statementsOf(name))).toEqual([
      { Sid: "RestrictedKeyViaS3", Effect: "Allow", Action: "kms:Decrypt", Resource: restrictedKeyArn, Condition: VIA_S3 },
    ]);
  });

  it.each(NO_RESTRICTED)("%s (touches no restricted/ prefix) gets nothing on it", (name) => {
    const statements = statementsOf(name);

    expect(onRestrictedKey(statements)).toEqual([]);
    expect(statements.filter((s) => s.Sid === "RestrictedKeyViaS3")).toEqual([]);
  });

  it("grants it to no role in the Ingest stack other than the functions', and tells every function its ARN", () => {
    const functionRoles = new Set(resourcesIn(ingest, "AWS::Lambda::Function").map(([, f]) => f.Properties.Role["Fn::GetAtt"]?.[0]));
    const grantedTo = resourcesIn(ingest, "AWS::IAM::Policy")
      .filter(([, p]) => onRestrictedKey(p.Properties.PolicyDocument.Statement).length > 0)
      .flatMap(([, p]) => p.Properties.Roles.map((r: any) => r.Ref));

    expect(grantedTo.filter((role) => !functionRoles.has(role))).toEqual([]);
    for (const name of [...WRITES_RESTRICTED, ...READS_RESTRICTED_ONLY, ...NO_RESTRICTED]) {
      expect(functionNamed(name)[1].Properties.Environment.Variables[AWS_ENV.restrictedKeyArn], name).toEqual(restrictedKeyArn);
    }
  });
});

describe("the restricted key in the Catalog stack", () => {
  const policyOf = (role: string): any[] => {
    const found = resourcesIn(catalog, "AWS::IAM::ManagedPolicy").filter(([, p]) => p.Properties.ManagedPolicyName === `test-tributary-athena-${role}`);
    expect(found).toHaveLength(1);
    return found[0]![1].Properties.PolicyDocument.Statement;
  };

  it("lets the engineer role, which reads bronze under restricted/, decrypt with it through S3 only", () => {
    expect(onRestrictedKey(policyOf("engineer"))).toEqual([
      { Sid: "RestrictedKeyViaS3", Effect: "Allow", Action: "kms:Decrypt", Resource: restrictedKeyArn, Condition: VIA_S3 },
    ]);
  });

  it.each(["analyst", "data_science", "regulatory"])("gives %s nothing on it", (role) => {
    expect(onRestrictedKey(policyOf(role))).toEqual([]);
  });
});

describe("reachesRestricted", () => {
  it("is true for prefixes inside restricted/ and for those containing it, false for the rest", () => {
    const prefixes = ["restricted/", "restricted/bronze/files/", "", "r", "restricted", "bronze/", "restrictedish/", "silver/restricted/"];

    expect(prefixes.map(reachesRestricted)).toEqual([true, true, true, true, true, false, false, false]);
  });
});
