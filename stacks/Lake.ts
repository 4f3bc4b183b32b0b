/**
 * The lake: one versioned, KMS-encrypted bucket (landing/, bronze/, quarantine/, silver/, gold/, restricted/),
 * its server access log bucket, and the keys: the lake key (the bucket's default) and the restricted key, which
 * alone encrypts raw PII under restricted/ — the bucket policy refuses a write there that names any other key.
 * Partners' files under landing/ reach ingestion through S3's EventBridge notifications (the Ingest stack's
 * rule matches this bucket's name).
 */
import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { Bucket, type StackContext } from "sst/constructs";
// The file itself, not `@tributary/core/lake`: synth needs the prefix, not the lake's Parquet and SDK code.
import { RESTRICTED_PREFIX } from "../packages/core/src/lake/keys";
import { tributaryConfig } from "./shared/config";
import { rotatingKey } from "./shared/keys";
import { suppressSstFrameworkFindings } from "./shared/nag";

/** Storage-class and expiry ages, in days — declared once, asserted by the stack tests. */
export const LAKE_LIFECYCLE = {
  /** Raw bronze is re-read rarely after a month (replays, backfills)… */
  bronzeInfrequentAccessAfterDays: 30,
  /** …and almost never after half a year, but must stay instantly readable for audits. */
  bronzeGlacierInstantRetrievalAfterDays: 180,
  /** Overwritten or deleted objects stay recoverable this long. */
  noncurrentVersionExpiryDays: 30,
  /** Multipart uploads of large partner files that died midway stop costing money. */
  abortIncompleteMultipartUploadAfterDays: 7,
  /** How long S3 server access logs are kept. */
  accessLogExpiryDays: 365,
} as const;

/** Prefixes holding bronze data (plain and restricted): both age into cheaper storage classes. */
export const BRONZE_PREFIXES = ["bronze/", "restricted/bronze/"] as const;

/** The lake key's description; the stack tests find the key by it. */
export const LAKE_KEY_DESCRIPTION = "Encrypts the Tributary lake bucket's objects, all but those under restricted/ (the restricted key's)";

/** Where in the log bucket the lake's access logs go. */
export const ACCESS_LOG_PREFIX = "lake/";

/** Sid of the lake bucket policy statement that keeps writes under restricted/ on the restricted key. */
export const RESTRICTED_WRITES_SID = "DenyRestrictedWritesNotUnderRestrictedKey";

export function Lake({ stack, app }: StackContext) {
  // Validate the config before anything else: a bad config must fail synth with the path that is wrong.
  tributaryConfig(app);

  const lakeKey = rotatingKey(stack, "LakeKey", "lake", LAKE_KEY_DESCRIPTION);
  const restrictedKey = rotatingKey(
    stack,
    "RestrictedKey",
    "lake-restricted",
    "Encrypts the Tributary lake's objects under restricted/ (raw PII). IAM lets only the functions whose wiring reads or writes restricted/, and the engineer Athena role, use it, through S3 only",
  );

  const accessLogs = new s3.Bucket(stack, "LakeAccessLogs", {
    // S3 server access logging only delivers to SSE-S3 buckets, not SSE-KMS ones.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(LAKE_LIFECYCLE.accessLogExpiryDays) }],
  });

  const lake = new Bucket(stack, "lake", {
    // SST's Bucket defaults to CORS for every origin and to public ACLs being allowed; the lake wants neither.
    cors: false,
    blockPublicACLs: true,
    cdk: {
      bucket: {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: lakeKey,
        // One data key per bucket instead of per object: far fewer KMS calls for many small Parquet files.
        bucketKeyEnabled: true,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        lifecycleRules: lakeLifecycleRules(),
      },
    },
  });
  const lakeBucket = lake.cdk.bucket as s3.Bucket;
  const cfnLake = lakeBucket.node.defaultChild as s3.CfnBucket;

  // Set on the L1 resource rather than through `serverAccessLogsBucket` / `eventBridgeEnabled`: without the
  // `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` feature flag (which `sst deploy` does not set) CDK grants
  // log delivery with an ACL, impossible on a bucket with ACLs disabled; and `eventBridgeEnabled` installs a
  // custom-resource Lambda with `s3:PutBucketNotification` on `*`, where CloudFormation has a native property.
  cfnLake.loggingConfiguration = { destinationBucketName: accessLogs.bucketName, logFilePrefix: ACCESS_LOG_PREFIX };
  cfnLake.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  lakeBucket.addToResourcePolicy(restrictedWritesNeedRestrictedKey(lakeBucket, restrictedKey));
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowLakeServerAccessLogDelivery",
      principals: [new iam.ServicePrincipal("logging.s3.amazonaws.com")],
      actions: ["s3:PutObject"],
      resources: [accessLogs.arnForObjects(`${ACCESS_LOG_PREFIX}*`)],
      conditions: {
        ArnLike: { "aws:SourceArn": lakeBucket.bucketArn },
        StringEquals: { "aws:SourceAccount": stack.account },
      },
    }),
  );
  // No explicit dependency of the lake on this policy: the policy names the lake's ARN, so that would be a
  // cycle. Logs S3 delivers in the seconds before the policy exists are lost — log delivery is best effort anyway.

  NagSuppressions.addResourceSuppressions(accessLogs, [
    {
      id: "AwsSolutions-S1",
      reason: "This is the access log bucket itself; logging its own accesses into itself would loop.",
    },
  ]);
  suppressSstFrameworkFindings(stack);
  stack.addOutputs({
    LakeBucket: lakeBucket.bucketName,
    LakeKeyArn: lakeKey.keyArn,
    RestrictedKeyArn: restrictedKey.keyArn,
  });

  return { lake, lakeBucket, lakeKey, restrictedKey, accessLogs };
}

/**
 * Raw PII must never land under the lake key: a write under restricted/ (PutObject, CopyObject and the steps of
 * a multipart upload are all authorized as s3:PutObject) is refused unless it names the restricted key. The S3
 * lake store names it on PutObject and on CreateMultipartUpload, whose encryption the parts take. The condition
 * key holds the key the request names, compared as an ARN (`arn:aws:kms:<region>:<account>:key/<id>`); a
 * request naming none (the bucket default would use the lake key) lacks it, and `StringNotEquals` on a missing
 * key is true, so it is refused too. https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 */
function restrictedWritesNeedRestrictedKey(lakeBucket: s3.IBucket, restrictedKey: kms.IKey): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: RESTRICTED_WRITES_SID,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ["s3:PutObject"],
    resources: [lakeBucket.arnForObjects(`${RESTRICTED_PREFIX}*`)],
    conditions: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": restrictedKey.keyArn } },
  });
}

function lakeLifecycleRules(): s3.LifecycleRule[] {
  const days = LAKE_LIFECYCLE;
  return [
    {
      id: "expire-noncurrent-versions",
      noncurrentVersionExpiration: Duration.days(days.noncurrentVersionExpiryDays),
      abortIncompleteMultipartUploadAfter: Duration.days(days.abortIncompleteMultipartUploadAfterDays),
    },
    ...BRONZE_PREFIXES.map(
      (prefix): s3.LifecycleRule => ({
        id: `age-${prefix.replace(/\/$/, "").replace(/\//g, "-")}`,
        prefix,
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(days.bronzeInfrequentAccessAfterDays) },
          {
            storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
            transitionAfter: Duration.days(days.bronzeGlacierInstantRetrievalAfterDays),
          },
        ],
      }),
    ),
  ];
}
