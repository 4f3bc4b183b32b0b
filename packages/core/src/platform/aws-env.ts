/**
 * The environment variables through which the stacks tell a Lambda where its resources are. The stacks set
 * them (`stacks/ingest/functions.ts`) and the AWS ports adapter reads them at cold start; both import this one
 * object, so a renamed variable cannot drift between the two.
 *
 * Names are set on every function so ports can be built uniformly; what a function may *do* with a resource
 * is limited by its IAM policy, which follows the wiring (`sendsTo`, `putsEvents`, `tables`, `lake`).
 */
import type { QueueRef, TableName } from "../wiring";

/** `stream-records` → `STREAM_RECORDS`: upper case, every run of other characters becomes `_`. */
export function envSuffix(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

/**
 * @example AWS_ENV.queueUrl("stream-records") // "TRIBUTARY_QUEUE_URL_STREAM_RECORDS"
 */
export const AWS_ENV = {
  /** The SST stage the function was deployed to, e.g. `prod`. */
  stage: "TRIBUTARY_STAGE",
  /** Physical name of the lake bucket. */
  lakeBucket: "TRIBUTARY_LAKE_BUCKET",
  /**
   * ARN of the KMS key for objects under `restricted/` (raw PII). The S3 lake store names it on every write
   * there; the lake's bucket policy refuses a `restricted/` write that names any other key, or none.
   */
  restrictedKeyArn: "TRIBUTARY_RESTRICTED_KEY_ARN",
  /** Base URL of Google's Measurement Protocol (optional; default https://www.google-analytics.com). */
  gaEndpoint: "TRIBUTARY_GA_ENDPOINT",
  /** Physical name of the `tributary` event bus. */
  busName: "TRIBUTARY_BUS_NAME",
  /** URL of a declared queue. */
  queueUrl: (queue: QueueRef): string => `TRIBUTARY_QUEUE_URL_${envSuffix(queue)}`,
  /** Physical (stage-prefixed) name of a declared DynamoDB table. */
  tableName: (table: TableName): string => `TRIBUTARY_TABLE_NAME_${envSuffix(table)}`,
} as const;
