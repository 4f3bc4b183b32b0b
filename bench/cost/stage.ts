/**
 * One Lambda function's month: how many items each invocation gets (from its trigger and the traffic), how long
 * an invocation is billed for (measured CPU scaled to Lambda, plus assumed waits on the requests it makes), and
 * the line items that follows: Lambda requests and GB-seconds, and every request the function's code made.
 */
import type { Assumptions } from "./assumptions";
import { secondsPerMonth } from "./assumptions";
import {
  assertNonNegative,
  assertPositive,
  gbSeconds,
  GIB,
  lambdaDurationMs,
  messagesPerBatch,
  receiveAndDeleteRequests,
  type LineItem,
} from "./cost-model";
import { atItems, countsAtItems, type RequestCounts, type Work } from "./work";

export type StageTrigger =
  /** API Gateway: one request per invocation. */
  | { kind: "http" }
  /** An SQS event source mapping. */
  | { kind: "queue"; queue: string; batchSize: number; batchWindowSeconds: number }
  /** An EventBridge schedule: a fixed number of invocations a month, whatever the traffic. */
  | { kind: "schedule"; invocationsPerMonth: number }
  /** A Kinesis event source mapping, one poll of the shard a second (the seeds' design). */
  | { kind: "stream"; batchSize: number };

export interface Stage {
  fn: string;
  memoryMb: number;
  /** The function's timeout: an invocation billed longer than this could not finish on Lambda. */
  timeoutSeconds?: number;
  work: Work;
  trigger: StageTrigger;
  itemsPerMonth: number;
  /** Queue messages per item (1 for a hit; 1 / file size in GiB for files; announcements per record for link). */
  messagesPerItem?: number;
  /** Wait per invocation on calls the measured code did not make (the seeds' Kinesis puts). */
  extraIoWaitMs?: number;
}

export interface StageMonth {
  fn: string;
  memoryMb: number;
  timeoutSeconds?: number;
  itemsPerInvocation: number;
  invocations: number;
  cpuMs: number;
  ioWaitMs: number;
  durationMs: number;
  /** Requests per invocation. */
  requests: RequestCounts;
  lines: LineItem[];
}

export function itemsPerInvocation(stage: Stage, a: Assumptions): number {
  const t = stage.trigger;
  switch (t.kind) {
    case "http":
      return 1;
    case "schedule":
      assertPositive("invocationsPerMonth", t.invocationsPerMonth);
      return stage.itemsPerMonth / t.invocationsPerMonth;
    case "stream":
      return Math.min(t.batchSize, Math.max(1, stage.itemsPerMonth / secondsPerMonth(a)));
    case "queue": {
      const perItem = stage.messagesPerItem ?? 1;
      assertPositive("messagesPerItem", perItem);
      const messages = messagesPerBatch({
        messagesPerSecond: (stage.itemsPerMonth * perItem) / secondsPerMonth(a),
        batchSize: t.batchSize,
        batchWindowSeconds: t.batchWindowSeconds,
        pollers: a.esmPollers,
        minGatherSeconds: a.minGatherSeconds,
      });
      return messages / perItem;
    }
  }
}

/** Wall milliseconds an invocation waits on its calls, `parallelism` of them in flight at once, plus writing its bytes. */
export function ioWaitMs(fn: string, requests: RequestCounts, a: Assumptions): number {
  const l = a.latencyMs;
  const calls =
    requests.sqsSendCalls * l.sqsSend +
    requests.s3Put * l.s3Put +
    requests.s3Get * l.s3Get +
    requests.dynamoCalls * l.dynamo +
    requests.eventBridgeCalls * l.eventBridge +
    requests.googleRequests * l.google +
    requests.sourceQueries * l.sourceQuery;
  const writing = (requests.s3BytesWritten / (a.s3WriteMBps * 1e6)) * 1000;
  return calls / (a.parallelism[fn] ?? 1) + writing;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * @example stageMonth({ fn: "ga-proxy", memoryMb: 512, work, trigger: { kind: "http" }, itemsPerMonth: 30e6 }, DEFAULT_ASSUMPTIONS).lines
 */
export function stageMonth(stage: Stage, a: Assumptions): StageMonth {
  assertNonNegative("itemsPerMonth", stage.itemsPerMonth);
  const items = itemsPerInvocation(stage, a);
  // A schedule runs whatever the traffic; other triggers only when there is some.
  const invocations = stage.trigger.kind === "schedule" ? stage.trigger.invocationsPerMonth : stage.itemsPerMonth === 0 ? 0 : stage.itemsPerMonth / items;
  const requests = countsAtItems(stage.work, items);
  const cpuMs = atItems(stage.work.cpuMs, items);
  const wait = ioWaitMs(stage.fn, requests, a) + (stage.extraIoWaitMs ?? 0);
  const durationMs = lambdaDurationMs(stage.memoryMb, { cpuMs, ioWaitMs: wait }, a.cpuSpeedFactor);
  const each = (n: number) => n * invocations;
  const fn = stage.fn;
  const lines: LineItem[] = [
    { item: `${fn}: invocations (items each: ${round(items, 2)})`, quantity: invocations, price: "lambdaRequest", basis: "derived" },
    {
      item: `${fn}: GB-seconds (${round(cpuMs, 2)} ms CPU measured → ${durationMs} ms billed at ${stage.memoryMb} MB)`,
      quantity: each(gbSeconds(stage.memoryMb, durationMs)),
      price: "lambdaGbSecond",
      basis: "derived",
    },
    { item: `${fn}: SQS sends`, quantity: each(requests.sqsSendBilled), price: "sqsRequest", basis: "counted" },
    ...(stage.trigger.kind === "queue"
      ? [
          {
            item: `${fn}: SQS receives + deletes (${stage.trigger.queue}; messages a batch: ${round(items * (stage.messagesPerItem ?? 1), 1)})`,
            quantity: each(receiveAndDeleteRequests(items * (stage.messagesPerItem ?? 1))),
            price: "sqsRequest" as const,
            basis: "derived" as const,
          },
        ]
      : []),
    { item: `${fn}: S3 PUT/LIST`, quantity: each(requests.s3Put), price: "s3PutRequest", basis: "counted" },
    { item: `${fn}: S3 GET/HEAD`, quantity: each(requests.s3Get), price: "s3GetRequest", basis: "counted" },
    { item: `${fn}: DynamoDB write units`, quantity: each(requests.dynamoWriteUnits), price: "dynamoWriteUnit", basis: "counted" },
    { item: `${fn}: DynamoDB read units`, quantity: each(requests.dynamoReadUnits), price: "dynamoReadUnit", basis: "counted" },
    { item: `${fn}: EventBridge events`, quantity: each(requests.eventBridgeBilled), price: "eventBridgeEvent", basis: "counted" },
    {
      item: `${fn}: logs (handler lines counted + ${a.platformLogBytesPerInvocation} B platform lines assumed)`,
      quantity: each(requests.logBytes + a.platformLogBytesPerInvocation) / GIB,
      price: "logsIngestedGb",
      basis: "derived",
    },
    { item: `${fn}: X-Ray traces (${a.xraySampledShare * 100}% sampled, assumed)`, quantity: each(a.xraySampledShare), price: "xrayTrace", basis: "assumed" },
  ];
  return { fn, memoryMb: stage.memoryMb, ...(stage.timeoutSeconds ? { timeoutSeconds: stage.timeoutSeconds } : {}), itemsPerInvocation: items, invocations, cpuMs, ioWaitMs: wait, durationMs, requests, lines: lines.filter((l) => l.quantity > 0) };
}

/**
 * SQS requests of idle event source mapping polls on one queue for a month: each poller long-polls for
 * `esmLongPollSeconds` at a time, so an empty queue still costs pollers × month / wait receives.
 */
export function idlePollLine(queue: string, a: Assumptions): LineItem {
  return {
    item: `${queue}: idle long polls (${a.esmPollers} pollers × ${a.esmLongPollSeconds} s waits, assumed)`,
    quantity: (a.esmPollers * secondsPerMonth(a)) / a.esmLongPollSeconds,
    price: "sqsRequest",
    basis: "assumed",
  };
}
