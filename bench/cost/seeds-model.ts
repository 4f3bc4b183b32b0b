/**
 * The seeds' design for the same volume: records onto a Kinesis data stream (provisioned shards or on-demand),
 * Firehose delivering them raw to S3, and an hourly Glue Spark job turning each hour into partitioned Parquet.
 * Partner files skip the stream: the same hourly job reads new files from landing/.
 *
 * What the design still needs from Lambda is priced with Tributary's measured work, so the comparison is about
 * the transport and the landing, not the edges: the same GA proxy (putting to the stream instead of SQS), the same
 * forwarder to Google (reading the stream), the same CDC poller (reading changes, then PutRecords; its CPU is only
 * the reading, measured separately). Every other figure is an assumption in `SeedsAssumptions`.
 */
import { secondsPerMonth, type Assumptions } from "./assumptions";
import {
  assertPositive,
  billedChunks,
  FIREHOSE_ROUNDING_BYTES,
  GIB,
  KINESIS_ON_DEMAND_ROUNDING_BYTES,
  KINESIS_PUT_UNIT_BYTES,
  MIB,
  roundedUpBytes,
  type LineItem,
} from "./cost-model";
import type { FunctionSpecs, MeasuredCdc, MeasuredFiles, MeasuredGa } from "./measured";
import { specOf } from "./measured";
import { stageMonth } from "./stage";
import { partnerUploadLine, type DesignMonth } from "./tributary-model";
import { REQUEST_FIELDS, type Linear, type RequestCounts, type Work } from "./work";

export type KinesisMode = "provisioned" | "on-demand";

/** Shards to carry the peak: 1,000 records/s and 1 MiB/s in, 2 MiB/s out shared by the consumers. */
export function provisionedShards(recordsPerMonth: number, recordBytes: number, consumers: number, a: Assumptions): number {
  const peakRecords = (recordsPerMonth / secondsPerMonth(a)) * a.seeds.peakToAverage;
  return Math.max(1, Math.ceil(peakRecords / 1000), Math.ceil((peakRecords * recordBytes) / MIB), Math.ceil((peakRecords * recordBytes * consumers) / (2 * MIB)));
}

/**
 * @example kinesisLines(30e6, 1000, 2, "provisioned", DEFAULT_ASSUMPTIONS) // 1 shard × 730 h, 30M PUT payload units
 */
export function kinesisLines(records: number, recordBytes: number, consumers: number, mode: KinesisMode, a: Assumptions): LineItem[] {
  if (mode === "provisioned") {
    const shards = provisionedShards(records, recordBytes, consumers, a);
    return [
      { item: `Kinesis shard-hours (${shards} shard${shards > 1 ? "s" : ""} for ${a.seeds.peakToAverage}× the average rate)`, quantity: shards * a.hoursPerMonth, price: "kinesisShardHour", basis: "derived" },
      { item: "Kinesis PUT payload units (25 KB)", quantity: records * billedChunks(recordBytes, KINESIS_PUT_UNIT_BYTES), price: "kinesisPutPayloadUnit", basis: "derived" },
    ];
  }
  return [
    { item: "Kinesis on-demand stream-hours", quantity: a.hoursPerMonth, price: "kinesisOnDemandStreamHour", basis: "derived" },
    { item: "Kinesis on-demand GB written (records rounded up to 1 KB)", quantity: (records * roundedUpBytes(recordBytes, KINESIS_ON_DEMAND_ROUNDING_BYTES)) / GIB, price: "kinesisOnDemandGbIn", basis: "derived" },
    { item: `Kinesis on-demand GB read (${consumers} consumer${consumers > 1 ? "s" : ""})`, quantity: (records * recordBytes * consumers) / GIB, price: "kinesisOnDemandGbOut", basis: "derived" },
  ];
}

/** Objects Firehose writes a month: one per buffer, flushed by size or by time, whichever comes first. */
export function firehoseObjects(records: number, recordBytes: number, a: Assumptions): number {
  return Math.max(secondsPerMonth(a) / a.seeds.firehoseBufferSeconds, (records * recordBytes) / (a.seeds.firehoseBufferMiB * MIB));
}

export function firehoseLines(records: number, recordBytes: number, a: Assumptions): LineItem[] {
  return [
    { item: "Firehose GB ingested (records rounded up to 5 KB)", quantity: (records * roundedUpBytes(recordBytes, FIREHOSE_ROUNDING_BYTES)) / GIB, price: "firehoseIngestedGb", basis: "derived" },
    { item: `Firehose S3 PUTs (${a.seeds.firehoseBufferMiB} MiB / ${a.seeds.firehoseBufferSeconds} s buffers)`, quantity: firehoseObjects(records, recordBytes, a), price: "s3PutRequest", basis: "derived" },
  ];
}

/**
 * Seconds one Glue run takes: a fixed part plus the run's share of the month's input at the assumed throughput,
 * never under the billing minimum.
 *
 * @example glueSecondsPerRun(73 * GIB, DEFAULT_ASSUMPTIONS) // 90 + 0.1 GiB / (100 GiB/DPU-h × 2 DPU) × 3600 = 91.8
 */
export function glueSecondsPerRun(inputBytesPerMonth: number, a: Assumptions): number {
  const g = a.seeds.glue;
  const gibPerRun = inputBytesPerMonth / GIB / g.runsPerMonth;
  return Math.max(g.minimumSecondsPerRun, g.fixedSecondsPerRun + (gibPerRun / (g.gbPerDpuHour * g.dpusPerRun)) * 3600);
}

export function glueLines(inputBytesPerMonth: number, outputBytesPerMonth: number, inputObjectsPerMonth: number, a: Assumptions): LineItem[] {
  const g = a.seeds.glue;
  const seconds = glueSecondsPerRun(inputBytesPerMonth, a);
  const outputObjects = Math.max(g.runsPerMonth, outputBytesPerMonth / (g.outputObjectMiB * MIB));
  return [
    {
      item: `Glue DPU-hours (${g.runsPerMonth} runs × ${g.dpusPerRun} DPU × ${seconds.toFixed(0)} s)`,
      quantity: (g.runsPerMonth * g.dpusPerRun * seconds) / 3600,
      price: "glueDpuHour",
      basis: "assumed",
    },
    { item: "Glue S3 GETs (each input object)", quantity: inputObjectsPerMonth, price: "s3GetRequest", basis: "derived" },
    { item: `Glue S3 PUT/LIST (output objects + ${g.s3RequestsPerRun} a run)`, quantity: outputObjects + g.runsPerMonth * g.s3RequestsPerRun, price: "s3PutRequest", basis: "assumed" },
  ];
}

/** The same work with some request kinds removed (what the seeds' Lambda does not do). */
function without(work: Work, fields: readonly (keyof RequestCounts)[]): Work {
  const none: Linear = { perInvocation: 0, perItem: 0 };
  return { cpuMs: work.cpuMs, requests: Object.fromEntries(REQUEST_FIELDS.map((f) => [f, fields.includes(f) ? none : work.requests[f]])) as Work["requests"] };
}

const WRITES_TO_LAKE_AND_BUS = ["s3Put", "s3Get", "s3BytesWritten", "eventBridgeCalls", "eventBridgeBilled", "linkDeliveriesBilled", "linkAnnouncements", "sqsSendCalls", "sqsSendBilled"] as const;

export function seedsGaMonth(m: MeasuredGa, specs: FunctionSpecs, hits: number, mode: KinesisMode, a: Assumptions): DesignMonth {
  const proxy = stageMonth(
    { fn: "ga-proxy → Kinesis", memoryMb: specOf(specs, "ga-proxy").memoryMb, timeoutSeconds: specOf(specs, "ga-proxy").timeoutSeconds, work: without(m.proxy, ["sqsSendCalls", "sqsSendBilled"]), trigger: { kind: "http" }, itemsPerMonth: hits, extraIoWaitMs: a.latencyMs.kinesisPut },
    a,
  );
  const forward = stageMonth(
    { fn: "ga-forward ← Kinesis", memoryMb: specOf(specs, "ga-forward").memoryMb, timeoutSeconds: specOf(specs, "ga-forward").timeoutSeconds, work: m.forward, trigger: { kind: "stream", batchSize: a.seeds.streamConsumerBatch }, itemsPerMonth: hits },
    a,
  );
  const objects = firehoseObjects(hits, m.hitBytes, a);
  return {
    design: `GA: seeds, Kinesis ${mode} + Firehose + Glue`,
    stages: [proxy, forward],
    lines: [
      { item: "API Gateway HTTP API requests", quantity: hits, price: "apiHttpRequest", basis: "derived" },
      { item: `API Gateway access logs (${a.apiAccessLogBytesPerRequest} B a request, assumed)`, quantity: (hits * a.apiAccessLogBytesPerRequest) / GIB, price: "logsIngestedGb", basis: "assumed" },
      ...proxy.lines,
      ...kinesisLines(hits, m.hitBytes, a.seeds.gaStreamConsumers, mode, a),
      ...firehoseLines(hits, m.hitBytes, a),
      ...glueLines(hits * m.hitBytes, hits * m.bronzeBytesPerHit, objects, a),
      ...forward.lines,
    ],
  };
}

export function seedsCdcMonth(m: MeasuredCdc, specs: FunctionSpecs, changes: number, mode: KinesisMode, a: Assumptions): DesignMonth {
  const spec = specOf(specs, "cdc-poll");
  const polls = spec.schedulesPerMonth ?? 0;
  assertPositive("cdc-poll schedules a month", polls);
  // Reading the changes is all the CPU it spends per change; offsets, lease and source queries are as Tributary's.
  const work: Work = { ...without(m.poll, WRITES_TO_LAKE_AND_BUS), cpuMs: { perInvocation: m.poll.cpuMs.perInvocation, perItem: m.readOnly.cpuMs.perItem } };
  const putCalls = Math.ceil(changes / polls / a.seeds.putRecordsBatch);
  const poller = stageMonth(
    { fn: "cdc-poll → Kinesis", memoryMb: spec.memoryMb, timeoutSeconds: spec.timeoutSeconds, work, trigger: { kind: "schedule", invocationsPerMonth: polls }, itemsPerMonth: changes, extraIoWaitMs: putCalls * a.latencyMs.kinesisPut },
    a,
  );
  const objects = firehoseObjects(changes, m.changeBytes, a);
  return {
    design: `CDC: seeds, Kinesis ${mode} + Firehose + Glue`,
    stages: [poller],
    lines: [
      ...poller.lines,
      { item: `cdc-poll: CloudWatch metrics (${a.cdcMetricsPerTable} per table × ${m.tables} tables)`, quantity: a.cdcMetricsPerTable * m.tables, price: "customMetricMonth", basis: "derived" },
      ...kinesisLines(changes, m.changeBytes, a.seeds.cdcStreamConsumers, mode, a),
      ...firehoseLines(changes, m.changeBytes, a),
      ...glueLines(changes * m.changeBytes, changes * m.bronzeBytesPerChange, objects, a),
    ],
  };
}

export function seedsFilesMonth(m: MeasuredFiles, gib: number, fileGiB: number, a: Assumptions): DesignMonth {
  const files = gib / fileGiB;
  return {
    design: "Files: seeds, Glue over landing/",
    stages: [],
    lines: [partnerUploadLine(files, fileGiB * GIB * m.gzipRatio, a), ...glueLines(gib * GIB, gib * m.bronzeBytesPerGiB, files, a)],
  };
}
