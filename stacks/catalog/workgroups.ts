/**
 * One Athena workgroup per role. The workgroup's settings are enforced (clients cannot override them): results go
 * to the role's own prefix of the lake bucket, encrypted with the lake's KMS key, and a query that would scan more
 * than the cutoff is cancelled. https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html
 */
import { Stack } from "aws-cdk-lib";
import * as athena from "aws-cdk-lib/aws-athena";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as s3 from "aws-cdk-lib/aws-s3";
// The file, not the package index: the index also exports the DuckDB reader, which `sst.config.ts` cannot bundle.
import { ROLE_ACCESS, type AthenaRole } from "../../packages/core/src/catalog/roles";
import type { Construct } from "constructs";
import { resultsPrefix } from "./names";

/**
 * Bytes one query may scan before Athena cancels it: 10 GiB, about $0.05 at Athena's $5/TB. Far above what a
 * `dt`-filtered bronze query or a silver/gold table scans today, low enough that a forgotten `dt` filter on years
 * of bronze costs cents, not dollars. A constant rather than a config setting until a deployment needs another.
 */
export const BYTES_SCANNED_CUTOFF_PER_QUERY = 10 * 1024 ** 3;

export const ATHENA_ENGINE_VERSION = "Athena engine version 3";

export interface WorkgroupTarget {
  name: string;
  lakeBucket: s3.IBucket;
  lakeKey: kms.IKey;
}

export function buildWorkgroup(scope: Construct, role: AthenaRole, { name, lakeBucket, lakeKey }: WorkgroupTarget): athena.CfnWorkGroup {
  return new athena.CfnWorkGroup(scope, `Workgroup-${role}`, {
    name,
    description: ROLE_ACCESS[role].description,
    state: "ENABLED",
    // Deleting the stack deletes the workgroup with its saved queries; results stay in the lake bucket.
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF_PER_QUERY,
      requesterPaysEnabled: false,
      engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
      resultConfiguration: {
        outputLocation: `s3://${lakeBucket.bucketName}/${resultsPrefix(name)}`,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKey: lakeKey.keyArn },
        // Results are only ever written to this account's lake bucket.
        expectedBucketOwner: Stack.of(scope).account,
      },
    },
  });
}
