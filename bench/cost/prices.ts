/**
 * The AWS list prices the cost model uses: one region, one date, a source page for each. No free tier anywhere:
 * the model prices a deployment that has used up (or never had) it.
 *
 * These are public on-demand list prices for eu-west-1 (Europe, Ireland) as compiled on `PRICES_AS_OF` from the
 * pages named. This machine cannot fetch those pages, so they were not re-read live on that day: every figure must
 * be re-checked against its page before anyone relies on it (the AWS Pricing Calculator gives the current one).
 * Where the Ireland figure is not known with confidence, `note` says so.
 */

export const PRICE_REGION = "eu-west-1";
export const PRICES_AS_OF = "2026-11-21";

export interface ListPrice {
  /** US dollars for `per` units. */
  usd: number;
  per: number;
  /** What one unit is, with the billing rule that matters (chunks, rounding, tier). */
  unit: string;
  source: string;
  note?: string;
}

const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const KINESIS = "https://aws.amazon.com/kinesis/data-streams/pricing/";

export const PRICES = {
  apiHttpRequest: {
    usd: 1.11,
    per: 1e6,
    unit: "API Gateway HTTP API requests (first 300M a month; metered in 512 KB increments)",
    source: "https://aws.amazon.com/api-gateway/pricing/",
    note: "Ireland's HTTP API rate (us-east-1: $1.00); re-check",
  },
  lambdaRequest: { usd: 0.2, per: 1e6, unit: "Lambda requests", source: LAMBDA },
  lambdaGbSecond: {
    usd: 0.0000166667,
    per: 1,
    unit: "Lambda GB-seconds, x86_64 (first 6 billion a month; 1 ms rounding)",
    source: LAMBDA,
    note: "x86_64 because the stacks deploy x86_64 (stacks/shared/function-defaults.ts); arm64 is $0.0000133334",
  },
  sqsRequest: { usd: 0.4, per: 1e6, unit: "SQS standard-queue requests (each 64 KB chunk of a payload is one request)", source: "https://aws.amazon.com/sqs/pricing/" },
  s3PutRequest: { usd: 0.005, per: 1000, unit: "S3 Standard PUT, COPY, POST, LIST requests", source: S3 },
  s3GetRequest: { usd: 0.0004, per: 1000, unit: "S3 Standard GET, SELECT and all other requests (HEAD included)", source: S3 },
  dynamoWriteUnit: {
    usd: 0.7068,
    per: 1e6,
    unit: "DynamoDB on-demand write request units (Standard table class; 1 KB each)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    note: "half the former $1.4135 after the November 2024 on-demand price cut; re-check",
  },
  dynamoReadUnit: {
    usd: 0.1415,
    per: 1e6,
    unit: "DynamoDB on-demand read request units (Standard table class; 4 KB strongly consistent)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    note: "half the former $0.283 after the November 2024 on-demand price cut; re-check",
  },
  eventBridgeEvent: {
    usd: 1.0,
    per: 1e6,
    unit: "EventBridge custom events published (each 64 KB chunk is one event)",
    source: "https://aws.amazon.com/eventbridge/pricing/",
  },
  logsIngestedGb: {
    usd: 0.57,
    per: 1,
    unit: "CloudWatch Logs ingested, Standard class, per GB",
    source: CLOUDWATCH,
    note: "Ireland's rate (us-east-1: $0.50); Lambda logs above 10 TB a month are tiered lower",
  },
  customMetricMonth: { usd: 0.3, per: 1, unit: "CloudWatch custom metric-months (first 10,000)", source: CLOUDWATCH },
  xrayTrace: { usd: 5.0, per: 1e6, unit: "X-Ray traces recorded", source: "https://aws.amazon.com/xray/pricing/" },
  kinesisShardHour: {
    usd: 0.015,
    per: 1,
    unit: "Kinesis Data Streams provisioned shard-hours (1 MB/s or 1,000 records/s in per shard)",
    source: KINESIS,
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  kinesisPutPayloadUnit: {
    usd: 0.014,
    per: 1e6,
    unit: "Kinesis Data Streams provisioned PUT payload units (25 KB each, per record)",
    source: KINESIS,
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  kinesisOnDemandStreamHour: {
    usd: 0.04,
    per: 1,
    unit: "Kinesis Data Streams on-demand stream-hours",
    source: KINESIS,
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  kinesisOnDemandGbIn: {
    usd: 0.08,
    per: 1,
    unit: "Kinesis Data Streams on-demand GB written (each record rounded up to 1 KB)",
    source: KINESIS,
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  kinesisOnDemandGbOut: {
    usd: 0.04,
    per: 1,
    unit: "Kinesis Data Streams on-demand GB read (per consumer)",
    source: KINESIS,
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  firehoseIngestedGb: {
    usd: 0.029,
    per: 1,
    unit: "Amazon Data Firehose GB ingested (first 500 TB a month; each record rounded up to 5 KB)",
    source: "https://aws.amazon.com/firehose/pricing/",
    note: "us-east-1 figure; not confirmed for Ireland; re-check",
  },
  glueDpuHour: {
    usd: 0.44,
    per: 1,
    unit: "AWS Glue Spark ETL DPU-hours (billed per second, 1-minute minimum per run)",
    source: "https://aws.amazon.com/glue/pricing/",
  },
} satisfies Record<string, ListPrice>;

export type PriceKey = keyof typeof PRICES;
export type PriceTable = Record<PriceKey, ListPrice>;
