/**
 * The pure arithmetic of the cost model: billing chunks, Lambda duration from CPU time, how full a queue
 * consumer's batches get, and line items priced from the price table. No I/O and no clocks, so the tests can
 * check every figure by hand.
 */
import { InvalidCostInputError } from "./errors";
import { PRICES, type PriceKey, type PriceTable } from "./prices";

/** Where a quantity comes from; the report prints it beside every line. */
export type Basis = "measured" | "counted" | "assumed" | "derived";

/** One billable quantity per month, priced by `price`. */
export interface LineItem {
  item: string;
  quantity: number;
  price: PriceKey;
  basis: Basis;
}

export interface CostedLine extends LineItem {
  usd: number;
}

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
/** AWS bills SQS requests and EventBridge events per 64 KB chunk of payload. */
export const SQS_CHUNK_BYTES = 64 * KIB;
export const EVENTBRIDGE_CHUNK_BYTES = 64 * KIB;
/** Kinesis provisioned PUT payload units are 25 KB; on-demand rounds each record up to 1 KB. */
export const KINESIS_PUT_UNIT_BYTES = 25 * KIB;
export const KINESIS_ON_DEMAND_ROUNDING_BYTES = KIB;
/** Firehose rounds each record up to 5 KB. */
export const FIREHOSE_ROUNDING_BYTES = 5 * KIB;
/** Memory at which Lambda gives a function one full vCPU; below it, a proportional share. */
export const LAMBDA_MB_PER_VCPU = 1769;
/** SQS hands out at most 10 messages per ReceiveMessage and deletes at most 10 per DeleteMessageBatch. */
export const SQS_MAX_MESSAGES_PER_CALL = 10;

export function assertNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidCostInputError(name, value, "a finite number ≥ 0");
}

export function assertPositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidCostInputError(name, value, "a finite number > 0");
}

/**
 * Billed units of a payload cut into chunks; an empty payload still costs one.
 *
 * @example billedChunks(70_000, SQS_CHUNK_BYTES) // 2
 */
export function billedChunks(bytes: number, chunkBytes: number): number {
  assertNonNegative("bytes", bytes);
  assertPositive("chunkBytes", chunkBytes);
  return Math.max(1, Math.ceil(bytes / chunkBytes));
}

/** Bytes billed when every record is rounded up to a multiple of `roundingBytes`. */
export function roundedUpBytes(recordBytes: number, roundingBytes: number): number {
  return billedChunks(recordBytes, roundingBytes) * roundingBytes;
}

/**
 * Billed duration of one Lambda invocation: the CPU time measured on this machine, scaled by how much slower a
 * Lambda vCPU is assumed to be (`cpuSpeedFactor`) and by the share of a vCPU the memory size buys (a 512 MB
 * function gets 512/1769 of one, so CPU-bound work takes 3.46× as long), plus time spent waiting on I/O;
 * rounded up to the millisecond as Lambda bills it. Above 1769 MB the factor stays 1: the work is one JS thread.
 *
 * @example lambdaDurationMs(512, { cpuMs: 1, ioWaitMs: 10 }, 1) // 14 (1 × 1769/512 = 3.46, + 10, rounded up)
 */
export function lambdaDurationMs(memoryMb: number, work: { cpuMs: number; ioWaitMs: number }, cpuSpeedFactor: number): number {
  assertPositive("memoryMb", memoryMb);
  assertNonNegative("cpuMs", work.cpuMs);
  assertNonNegative("ioWaitMs", work.ioWaitMs);
  assertPositive("cpuSpeedFactor", cpuSpeedFactor);
  const share = Math.max(1, LAMBDA_MB_PER_VCPU / memoryMb);
  // The tiny epsilon keeps 14.000000000000002 (float noise) from billing as 15.
  return Math.max(1, Math.ceil(work.cpuMs * cpuSpeedFactor * share + work.ioWaitMs - 1e-9));
}

/**
 * GB-seconds of an invocation: configured memory in GB (MB / 1024) times the billed seconds.
 *
 * @example gbSeconds(512, 14) // 0.007
 */
export function gbSeconds(memoryMb: number, durationMs: number): number {
  assertPositive("memoryMb", memoryMb);
  assertNonNegative("durationMs", durationMs);
  return (memoryMb / 1024) * (durationMs / 1000);
}

/**
 * How many messages a queue-triggered function gets per invocation. Lambda's SQS event source mapping polls with
 * `pollers` long-polls at once (5 while idle); each collects messages until `batchSize` or the batch window ends.
 * With the traffic spread evenly over the pollers, a batch holds rate × window / pollers messages, at least one
 * and at most `batchSize`. A window of 0 still gathers what arrives during one receive (`minGatherSeconds`).
 *
 * @example messagesPerBatch({ messagesPerSecond: 100, batchSize: 500, batchWindowSeconds: 1, pollers: 5, minGatherSeconds: 0.05 }) // 20
 */
export function messagesPerBatch(q: { messagesPerSecond: number; batchSize: number; batchWindowSeconds: number; pollers: number; minGatherSeconds: number }): number {
  assertNonNegative("messagesPerSecond", q.messagesPerSecond);
  assertPositive("batchSize", q.batchSize);
  assertPositive("pollers", q.pollers);
  const gather = Math.max(q.batchWindowSeconds, q.minGatherSeconds);
  return Math.min(q.batchSize, Math.max(1, (q.messagesPerSecond * gather) / q.pollers));
}

/**
 * SQS requests an event source mapping makes for one batch: ReceiveMessage and DeleteMessageBatch, 10 messages each.
 *
 * @example receiveAndDeleteRequests(25) // 6 (3 receives + 3 deletes)
 */
export function receiveAndDeleteRequests(messages: number): number {
  assertNonNegative("messages", messages);
  return 2 * Math.max(1, Math.ceil(messages / SQS_MAX_MESSAGES_PER_CALL));
}

/**
 * @example costLines([{ item: "proxy requests", quantity: 1e6, price: "lambdaRequest", basis: "derived" }])[0].usd // 0.2
 */
export function costLines(lines: readonly LineItem[], prices: PriceTable = PRICES): CostedLine[] {
  return lines.map((line) => {
    assertNonNegative(`quantity of "${line.item}"`, line.quantity);
    const price = prices[line.price];
    return { ...line, usd: (line.quantity * price.usd) / price.per };
  });
}

export function totalUsd(lines: readonly CostedLine[]): number {
  return lines.reduce((sum, line) => sum + line.usd, 0);
}

/** Every line's quantity times `factor` (a month's lines → per-unit lines). */
export function scaleLines<T extends LineItem>(lines: readonly T[], factor: number): T[] {
  assertNonNegative("factor", factor);
  return lines.map((line) => ({ ...line, quantity: line.quantity * factor }));
}
