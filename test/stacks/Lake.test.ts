/**
 * The Lake stack's security and lifecycle settings, read from the synthesized template (deploy mode, cdk-nag on).
 * The Lake stack has no function of its own, so Ingest's functions are not bundled for it.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_LOG_PREFIX, BRONZE_PREFIXES, LAKE_LIFECYCLE, RESTRICTED_WRITES_SID } from "../../stacks/Lake";
import shippedConfig from "../../tributary.config";
import { removeSynthOutput, synthesize, TEST_ACCOUNT, type Synthesized } from "./synth";

let synthesized: Synthesized;
let lake: Template;

beforeAll(async () => {
  synthesized = await synthesize(undefined, { bundle: false });
  lake = synthesized.templates.Lake;
});
afterAll(removeSynthOutput);

/** The one resource of a type matching `props`; fails when there is not exactly one. */
function only(template: Template, type: string, props: object = {}): { id: string; properties: Record<string, any> } {
  const found = Object.entries(template.findResources(type, { Properties: props }));
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  const [id, resource] = found[0]!;
  return { id, properties: resource.Properties };
}

const lakeBucket = () => only(lake, "AWS::S3::Bucket", { VersioningConfiguration: Match.anyValue() });
const logBucket = () => only(lake, "AWS::S3::Bucket", { VersioningConfiguration: Match.absent() });
const keyNamed = (description: RegExp) =>
  Object.entries(lake.findResources("AWS::KMS::Key")).find(([, k]) => description.test(k.Properties.Description))!;

describe("Lake stack", () => {
  it("encrypts the lake with its own rotating KMS key and a bucket key", () => {
    // Prepare
    const [lakeKeyId, lakeKey] = keyNamed(/lake bucket/);

    // Act
    const encryption = lakeBucket().properties.BucketEncryption.ServerSideEncryptionConfiguration;

    // Assess
    expect(lakeKey.Properties.EnableKeyRotation).toBe(true);
    expect(encryption).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: { "Fn::GetAtt": [lakeKeyId, "Arn"] } } },
    ]);
  });

  it("keeps a second rotating key for the restricted prefix and exports it", () => {
    const [restrictedKeyId, restrictedKey] = keyNamed(/^Encrypts the Tributary lake.s objects under restricted\//);

    expect(restrictedKey.Properties.EnableKeyRotation).toBe(true);
    expect(lake.findOutputs("RestrictedKeyArn")).toEqual({ RestrictedKeyArn: { Value: { "Fn::GetAtt": [restrictedKeyId, "Arn"] } } });
  });

  it("refuses every write under restricted/ that does not name the restricted key, and nothing else", () => {
    // Prepare
    const [restrictedKeyId] = keyNamed(/^Encrypts the Tributary lake.s objects under restricted\//);
    const lakeId = lakeBucket().id;

    // Act
    const statements = only(lake, "AWS::S3::BucketPolicy", { Bucket: { Ref: lakeId } }).properties.PolicyDocument.Statement;

    // Assess
    expect(statements.find((s: any) => s.Sid === RESTRICTED_WRITES_SID)).toEqual({
      Sid: RESTRICTED_WRITES_SID,
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "s3:PutObject",
      Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [lakeId, "Arn"] }, "/restricted/*"]] },
      Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": { "Fn::GetAtt": [restrictedKeyId, "Arn"] } } },
    });
    // The TLS denies and this one: no other statement, so nothing else is refused or allowed by the bucket policy.
    expect(statements.map((s: any) => [s.Effect, s.Action])).toEqual([
      ["Deny", "s3:*"],
      ["Deny", "s3:*"],
      ["Deny", "s3:PutObject"],
    ]);
  });

  it("describes the restricted key truthfully: raw PII under restricted/, used through S3 by whom IAM lets", () => {
    const [, restrictedKey] = keyNamed(/^Encrypts the Tributary lake.s objects under restricted\//);

    expect(restrictedKey.Properties.Description).toBe(
      "Encrypts the Tributary lake's objects under restricted/ (raw PII). IAM lets only the functions whose wiring reads or writes restricted/, and the engineer Athena role, use it, through S3 only",
    );
    // The key policy only delegates to IAM in this account: the IAM policies (tested per function and role) decide.
    expect(restrictedKey.Properties.KeyPolicy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${TEST_ACCOUNT}:root`]] } },
        Action: "kms:*",
        Resource: "*",
      },
    ]);
  });

  it("blocks public access, disables ACLs and CORS, and versions the lake", () => {
    const bucket = lakeBucket().properties;

    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
    expect(bucket.CorsConfiguration).toBeUndefined();
    expect(bucket.VersioningConfiguration).toEqual({ Status: "Enabled" });
  });

  it("denies every non-TLS and pre-TLS-1.2 request to both buckets", () => {
    for (const bucket of [lakeBucket(), logBucket()]) {
      const policy = only(lake, "AWS::S3::BucketPolicy", { Bucket: { Ref: bucket.id } }).properties.PolicyDocument;
      const denies = policy.Statement.filter((s: any) => s.Effect === "Deny");

      expect(denies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: "s3:*", Principal: { AWS: "*" }, Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          expect.objectContaining({ Action: "s3:*", Principal: { AWS: "*" }, Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } }),
        ]),
      );
    }
  });

  it("ages bronze into Infrequent Access then Glacier Instant Retrieval and expires old versions", () => {
    const rules = lakeBucket().properties.LifecycleConfiguration.Rules;

    expect(rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: LAKE_LIFECYCLE.noncurrentVersionExpiryDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: LAKE_LIFECYCLE.abortIncompleteMultipartUploadAfterDays },
        Status: "Enabled",
      }),
    );
    for (const prefix of BRONZE_PREFIXES) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          Prefix: prefix,
          Status: "Enabled",
          Transitions: [
            { StorageClass: "STANDARD_IA", TransitionInDays: LAKE_LIFECYCLE.bronzeInfrequentAccessAfterDays },
            { StorageClass: "GLACIER_IR", TransitionInDays: LAKE_LIFECYCLE.bronzeGlacierInstantRetrievalAfterDays },
          ],
        }),
      );
    }
  });

  it("logs lake accesses into a separate TLS-only, S3-encrypted bucket that only S3 logging for the lake may write", () => {
    const log = logBucket();
    const lakeId = lakeBucket().id;
    const policy = only(lake, "AWS::S3::BucketPolicy", { Bucket: { Ref: log.id } }).properties.PolicyDocument;

    expect(lakeBucket().properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: log.id }, LogFilePrefix: ACCESS_LOG_PREFIX });
    expect(log.properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] });
    expect(log.properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(log.properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: LAKE_LIFECYCLE.accessLogExpiryDays }));
    expect(policy.Statement.filter((s: any) => s.Effect === "Allow")).toEqual([
      expect.objectContaining({
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Condition: { ArnLike: { "aws:SourceArn": { "Fn::GetAtt": [lakeId, "Arn"] } }, StringEquals: { "aws:SourceAccount": TEST_ACCOUNT } },
      }),
    ]);
  });

  it("sends the lake's S3 events to EventBridge natively, without a notifications custom resource", () => {
    expect(lakeBucket().properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(lake.findResources("Custom::S3BucketNotifications")).toEqual({});
  });

  it("keeps the buckets and keys when the stack is deleted", () => {
    for (const type of ["AWS::S3::Bucket", "AWS::KMS::Key"]) {
      for (const resource of Object.values(lake.findResources(type))) expect(resource.DeletionPolicy).toBe("Retain");
    }
  });

  it("passes cdk-nag's AwsSolutions checks with no unsuppressed finding", () => {
    expect(synthesized.nagFindings.Lake).toEqual([]);
  });

  it("fails synth with the offending config path when the config is invalid", async () => {
    // Prepare
    const broken = structuredClone(shippedConfig) as any;
    broken.streams[0].partitionTime = "no_such_column";

    // Act
    const synth = synthesize(broken, { bundle: false });

    // Assess
    await expect(synth).rejects.toThrow(/streams\[0\]\.partitionTime: column "no_such_column" is not declared/);
  });
});
