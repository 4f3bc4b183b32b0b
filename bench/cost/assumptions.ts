/**
 * Everything the cost model assumes rather than measures, in one place, each with its reason. The report prints
 * them; change one here (or through the BENCH_COST_* variables read in bench/cost.ts) and the tables follow.
 */

export interface Latencies {
  /** Wall milliseconds a Lambda waits per call, in-region (assumed typical, not measured here: no AWS account). */
  sqsSend: number;
  s3Put: number;
  s3Get: number;
  dynamo: number;
  eventBridge: number;
  google: number;
  sourceQuery: number;
  kinesisPut: number;
}

export interface Scenario {
  gaHitsPerMonth: number;
  cdcChangesPerMonth: number;
  fileGiBPerMonth: number;
  /** GiB of CSV per partner file. */
  fileGiB: number;
}

export interface SeedsAssumptions {
  /** Peak over average traffic, for sizing provisioned shards. */
  peakToAverage: number;
  /** Consumers reading each stream (GA: Firehose + the Google forwarder; CDC: Firehose). */
  gaStreamConsumers: number;
  cdcStreamConsumers: number;
  /** Records per Kinesis PutRecords call from the CDC poller. */
  putRecordsBatch: number;
  /** Records per invocation of a Lambda reading a Kinesis stream (its event source mapping's batch). */
  streamConsumerBatch: number;
  firehoseBufferMiB: number;
  firehoseBufferSeconds: number;
  glue: {
    /** One Spark ETL job per source, run hourly over what arrived. */
    runsPerMonth: number;
    /** 2 × G.1X workers, the smallest Spark job. */
    dpusPerRun: number;
    /** Spark start, listing, commit: per run, whatever the data. */
    fixedSecondsPerRun: number;
    /** GB of input (JSON or CSV) converted to partitioned Parquet per DPU-hour. */
    gbPerDpuHour: number;
    minimumSecondsPerRun: number;
    /** S3 requests a run makes beyond reading and writing data (listing, job bookmarks, commit markers). */
    s3RequestsPerRun: number;
    /** MiB of Parquet per output object. */
    outputObjectMiB: number;
  };
}

export interface Assumptions {
  /** A Lambda vCPU's speed relative to one vCPU of this machine, for CPU-bound work (1 = the same). */
  cpuSpeedFactor: number;
  latencyMs: Latencies;
  /** How many of a function's calls are in flight at once (ga-proxy sends both queues together; link runs 16). */
  parallelism: Record<string, number>;
  /** MB/s a Lambda writes a large object to S3 at (added to the wait for bronze Parquet and manifests). */
  s3WriteMBps: number;
  /** START, END and REPORT lines Lambda logs for every invocation (REPORT carries the X-Ray trace id). */
  platformLogBytesPerInvocation: number;
  /** One JSON access-log line per API Gateway request (the stacks log every request). */
  apiAccessLogBytesPerRequest: number;
  /** Share of invocations X-Ray records with active tracing (1 request/s per function, then 5%). */
  xraySampledShare: number;
  /** Concurrent long-polls of an idle SQS event source mapping, and the wait each takes when the queue is empty. */
  esmPollers: number;
  esmLongPollSeconds: number;
  /** What a batch window of 0 still gathers (one receive round trip). */
  minGatherSeconds: number;
  hoursPerMonth: number;
  /** Powertools EMF metrics cdc-poll publishes per table (lag, landed, quarantined, retention gap). */
  cdcMetricsPerTable: number;
  /** The multipart part size partners upload with (the AWS CLI's default 8 MiB). */
  partnerUploadPartMiB: number;
  scenario: Scenario;
  seeds: SeedsAssumptions;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  cpuSpeedFactor: 1,
  latencyMs: { sqsSend: 10, s3Put: 30, s3Get: 15, dynamo: 6, eventBridge: 20, google: 60, sourceQuery: 5, kinesisPut: 15 },
  parallelism: { "ga-proxy": 2, link: 16 },
  s3WriteMBps: 100,
  platformLogBytesPerInvocation: 400,
  apiAccessLogBytesPerRequest: 450,
  xraySampledShare: 0.05,
  esmPollers: 5,
  esmLongPollSeconds: 20,
  minGatherSeconds: 0.05,
  hoursPerMonth: 730,
  cdcMetricsPerTable: 4,
  partnerUploadPartMiB: 8,
  scenario: { gaHitsPerMonth: 30e6, cdcChangesPerMonth: 30e6, fileGiBPerMonth: 300, fileGiB: 1 },
  seeds: {
    peakToAverage: 3,
    gaStreamConsumers: 2,
    cdcStreamConsumers: 1,
    putRecordsBatch: 500,
    streamConsumerBatch: 100,
    firehoseBufferMiB: 128,
    firehoseBufferSeconds: 300,
    glue: { runsPerMonth: 730, dpusPerRun: 2, fixedSecondsPerRun: 90, gbPerDpuHour: 100, minimumSecondsPerRun: 60, s3RequestsPerRun: 20, outputObjectMiB: 128 },
  },
};

/** Seconds in the model's month (`hoursPerMonth` hours, as the AWS calculator uses 730). */
export function secondsPerMonth(a: Assumptions): number {
  return a.hoursPerMonth * 3600;
}
