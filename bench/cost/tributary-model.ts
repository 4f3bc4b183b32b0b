/**
 * Tributary's month for each path, at a given volume: the functions the wiring triggers (with their measured
 * work), the requests around them that no function makes (API Gateway, idle polls, the bus rule's deliveries,
 * partner uploads), and, as a separate design, the real-time link step the seeds' design has no counterpart for.
 */
import type { Assumptions } from "./assumptions";
import { billedChunks, GIB, MIB, type LineItem } from "./cost-model";
import { MeasurementError } from "./errors";
import { queueOf, specOf, type FunctionSpecs, type MeasuredCdc, type MeasuredFiles, type MeasuredGa } from "./measured";
import { idlePollLine, stageMonth, type StageMonth } from "./stage";
import type { Work } from "./work";

/** One design's month: the functions it runs and every line item, functions' included. */
export interface DesignMonth {
  design: string;
  stages: StageMonth[];
  lines: LineItem[];
}

const lineOf = (s: StageMonth[]) => s.flatMap((x) => x.lines);

function queueStage(fn: string, specs: FunctionSpecs, work: Work, itemsPerMonth: number, messagesPerItem = 1) {
  const q = queueOf(specs, fn);
  const { memoryMb, timeoutSeconds } = specOf(specs, fn);
  return { fn, memoryMb, timeoutSeconds, work, itemsPerMonth, messagesPerItem, trigger: { kind: "queue" as const, ...q } };
}

/**
 * The link step for the rows a path lands: the bus rule delivers each `record.ingested` entry to link-requests
 * (one SQS request per 64 KB chunk), and link resolves every row.
 */
function linkDesign(path: string, specs: FunctionSpecs, link: Work, rowsPerMonth: number, announcementsPerMonth: number, deliveriesBilledPerMonth: number, a: Assumptions): DesignMonth {
  // Every batch that lands rows announces them (IngestBatch.close): rows without announcements is a broken measurement.
  if (rowsPerMonth > 0 && !(announcementsPerMonth > 0)) {
    throw new MeasurementError(`cost: ${path} lands ${rowsPerMonth} rows a month but announces none, so the link step cannot be priced`);
  }
  const stage = stageMonth(queueStage("link", specs, link, rowsPerMonth, rowsPerMonth > 0 ? announcementsPerMonth / rowsPerMonth : 1), a);
  return {
    design: `${path}: real-time link (extra)`,
    stages: [stage],
    lines: [
      { item: "record.ingested → link-requests deliveries (bus rule → SQS)", quantity: deliveriesBilledPerMonth, price: "sqsRequest", basis: "counted" },
      ...stage.lines,
      idlePollLine("link-requests", a),
    ],
  };
}

/**
 * @example gaMonth(measured, specs, 30e6, DEFAULT_ASSUMPTIONS).map((d) => d.design) // ["GA: Tributary → bronze", "GA: real-time link (extra)"]
 */
export function gaMonth(m: MeasuredGa, specs: FunctionSpecs, hits: number, a: Assumptions): DesignMonth[] {
  const { memoryMb, timeoutSeconds } = specOf(specs, "ga-proxy");
  const proxy = stageMonth({ fn: "ga-proxy", memoryMb, timeoutSeconds, work: m.proxy, trigger: { kind: "http" }, itemsPerMonth: hits }, a);
  const bronze = stageMonth(queueStage("ga-bronze", specs, m.bronze, hits), a);
  const forward = stageMonth(queueStage("ga-forward", specs, m.forward, hits), a);
  const stages = [proxy, bronze, forward];
  const ingest: DesignMonth = {
    design: "GA: Tributary → bronze",
    stages,
    lines: [
      { item: "API Gateway HTTP API requests", quantity: hits, price: "apiHttpRequest", basis: "derived" },
      { item: `API Gateway access logs (${a.apiAccessLogBytesPerRequest} B a request, assumed)`, quantity: (hits * a.apiAccessLogBytesPerRequest) / GIB, price: "logsIngestedGb", basis: "assumed" },
      ...lineOf(stages),
      idlePollLine("ga-hits", a),
      idlePollLine("ga-forward", a),
    ],
  };
  const announcements = bronze.invocations * bronze.requests.linkAnnouncements;
  const deliveries = bronze.invocations * bronze.requests.linkDeliveriesBilled;
  return [ingest, linkDesign("GA", specs, m.link, hits * m.rowsPerHit, announcements, deliveries, a)];
}

/**
 * CDC: the schedule fixes the polls a month (one a minute per source), so the changes per poll, and with them
 * each poll's batches and bronze files, follow from the volume.
 */
export function cdcMonth(m: MeasuredCdc, specs: FunctionSpecs, changes: number, a: Assumptions): DesignMonth[] {
  const spec = specOf(specs, "cdc-poll");
  const polls = spec.schedulesPerMonth ?? 0;
  const poll = stageMonth({ fn: "cdc-poll", memoryMb: spec.memoryMb, timeoutSeconds: spec.timeoutSeconds, work: m.poll, trigger: { kind: "schedule", invocationsPerMonth: polls }, itemsPerMonth: changes }, a);
  const ingest: DesignMonth = {
    design: "CDC: Tributary → bronze",
    stages: [poll],
    lines: [
      ...poll.lines,
      { item: `cdc-poll: CloudWatch metrics (${a.cdcMetricsPerTable} per table × ${m.tables} tables)`, quantity: a.cdcMetricsPerTable * m.tables, price: "customMetricMonth", basis: "derived" },
    ],
  };
  const announcements = poll.invocations * poll.requests.linkAnnouncements;
  const deliveries = poll.invocations * poll.requests.linkDeliveriesBilled;
  return [ingest, linkDesign("CDC", specs, m.link, changes * m.rowsPerChange, announcements, deliveries, a)];
}

/**
 * The partner's upload into landing/ is ours to pay (S3 bills requests to the bucket owner unless Requester Pays is on):
 * one PUT, or a multipart upload of `partnerUploadPartMiB` parts (create + parts + complete) above one part.
 */
export function partnerUploadLine(filesPerMonth: number, gzipBytesPerFile: number, a: Assumptions): LineItem {
  const parts = billedChunks(gzipBytesPerFile, a.partnerUploadPartMiB * MIB);
  return { item: `partner uploads into landing/ (${parts > 1 ? `${parts} parts + 2` : "1 PUT"} a file, assumed)`, quantity: filesPerMonth * (parts > 1 ? parts + 2 : 1), price: "s3PutRequest", basis: "assumed" };
}

/** Files: one invocation per file (batch size 1), its work a part per file plus a part per GiB. */
export function filesMonth(m: MeasuredFiles, specs: FunctionSpecs, gib: number, fileGiB: number, a: Assumptions): DesignMonth[] {
  const files = gib / fileGiB;
  const ingest = stageMonth(queueStage("file-ingest", specs, m.ingest, gib, 1 / fileGiB), a);
  const design: DesignMonth = {
    design: "Files: Tributary → bronze",
    stages: [ingest],
    lines: [
      partnerUploadLine(files, fileGiB * GIB * m.gzipRatio, a),
      { item: "S3 Object Created → file-notifications deliveries (bus rule → SQS)", quantity: files, price: "sqsRequest", basis: "derived" },
      ...ingest.lines,
      idlePollLine("file-notifications", a),
    ],
  };
  const announcements = ingest.invocations * ingest.requests.linkAnnouncements;
  const deliveries = ingest.invocations * ingest.requests.linkDeliveriesBilled;
  return [design, linkDesign("Files", specs, m.link, gib * m.rowsPerGiB, announcements, deliveries, a)];
}
