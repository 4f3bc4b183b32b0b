/**
 * What one function's work costs in CPU and requests, as measured: samples of (invocations, items, totals) fitted
 * to "a fixed part per invocation plus a part per item" by least squares. Two samples at different batch sizes
 * separate the two; with one, everything is put on the item.
 */
import { assertNonNegative, assertPositive } from "./cost-model";
import { InvalidCostInputError } from "./errors";

/** Requests the code made through the ports, as the AWS adapters would have made them (see counting-ports.ts). */
export interface RequestCounts {
  /** SendMessageBatch calls, and the requests they bill (64 KB chunks). */
  sqsSendCalls: number;
  sqsSendBilled: number;
  /** S3 PUT/COPY/POST/LIST-class and GET/HEAD-class requests. */
  s3Put: number;
  s3Get: number;
  s3BytesWritten: number;
  dynamoCalls: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  /** PutEvents calls, and the events they bill (64 KB chunks of each entry). */
  eventBridgeCalls: number;
  eventBridgeBilled: number;
  /** Billed 64 KB chunks of `record.ingested` entries: what the bus rule delivers to the link-requests queue. */
  linkDeliveriesBilled: number;
  /** `record.ingested` entries (link announcements). */
  linkAnnouncements: number;
  /** Requests to Google's Measurement Protocol. */
  googleRequests: number;
  /** Calls to the change source (each a round trip to SQL Server on AWS). */
  sourceQueries: number;
  /** Bytes the handler wrote to stdout (CloudWatch Logs on AWS). */
  logBytes: number;
}

export const REQUEST_FIELDS = [
  "sqsSendCalls",
  "sqsSendBilled",
  "s3Put",
  "s3Get",
  "s3BytesWritten",
  "dynamoCalls",
  "dynamoWriteUnits",
  "dynamoReadUnits",
  "eventBridgeCalls",
  "eventBridgeBilled",
  "linkDeliveriesBilled",
  "linkAnnouncements",
  "googleRequests",
  "sourceQueries",
  "logBytes",
] as const satisfies readonly (keyof RequestCounts)[];

export function zeroCounts(): RequestCounts {
  return Object.fromEntries(REQUEST_FIELDS.map((f) => [f, 0])) as unknown as RequestCounts;
}

export function addCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  return Object.fromEntries(REQUEST_FIELDS.map((f) => [f, a[f] + b[f]])) as unknown as RequestCounts;
}

/** One measured run of a function: `invocations` invocations that handled `items` items in total. */
export interface WorkSample {
  invocations: number;
  items: number;
  cpuMs: number;
  requests: RequestCounts;
}

/** How much larger the largest batch must be than the smallest for a fit to split fixed and per-item parts. */
export const MIN_SIZE_SPREAD = 2;

/** A quantity per invocation: `perInvocation + perItem × items`. */
export interface Linear {
  perInvocation: number;
  perItem: number;
}

export interface Work {
  cpuMs: Linear;
  requests: Record<keyof RequestCounts, Linear>;
}

/** Value of a linear quantity for an invocation of `items` items. */
export function atItems(linear: Linear, items: number): number {
  return linear.perInvocation + linear.perItem * items;
}

export function countsAtItems(work: Work, items: number): RequestCounts {
  return Object.fromEntries(REQUEST_FIELDS.map((f) => [f, atItems(work.requests[f], items)])) as unknown as RequestCounts;
}

/**
 * Least-squares fit of total = perInvocation × invocations + perItem × items over the samples, neither part below
 * zero (noise can push one negative; it is then 0 and the other refitted alone). With one sample, or samples
 * whose items per invocation are within `MIN_SIZE_SPREAD` of each other, the two cannot be told apart and all of
 * it goes to the item; samples
 * without items (idle polls) may be mixed with others, and alone give everything to the invocation.
 *
 * @example fitLinear([{ invocations: 1, items: 500, total: 260 }, { invocations: 50, items: 500, total: 750 }]) // { perInvocation: 10, perItem: 0.5 }
 */
export function fitLinear(points: readonly { invocations: number; items: number; total: number }[]): Linear {
  if (points.length === 0) throw new InvalidCostInputError("samples", "[]", "at least one sample");
  for (const p of points) {
    assertPositive("invocations", p.invocations);
    assertNonNegative("items", p.items);
    assertNonNegative("total", p.total);
  }
  const sum = (f: (p: (typeof points)[number]) => number) => points.reduce((s, p) => s + f(p), 0);
  // With no items at all (idle polls only) everything is the invocation's.
  if (sum((p) => p.items) === 0) return { perInvocation: sum((p) => p.total * p.invocations) / sum((p) => p.invocations ** 2), perItem: 0 };
  const itemsOnly = (): Linear => ({ perInvocation: 0, perItem: sum((p) => p.total * p.items) / sum((p) => p.items * p.items) });
  // Batches of nearly the same size cannot separate the two parts: noise would make up a fixed part.
  const ratios = points.map((p) => p.items / p.invocations);
  if (Math.max(...ratios) < MIN_SIZE_SPREAD * Math.min(...ratios)) return itemsOnly();
  const [ii, in_, nn] = [sum((p) => p.invocations ** 2), sum((p) => p.invocations * p.items), sum((p) => p.items ** 2)];
  const [it, nt] = [sum((p) => p.invocations * p.total), sum((p) => p.items * p.total)];
  const det = ii * nn - in_ * in_;
  const perInvocation = (it * nn - nt * in_) / det;
  const perItem = (ii * nt - in_ * it) / det;
  if (perInvocation < 0) return itemsOnly();
  if (perItem < 0) return { perInvocation: it / ii, perItem: 0 };
  return { perInvocation, perItem };
}

/** CPU and every request count of a function, fitted from its samples. */
export function fitWork(samples: readonly WorkSample[]): Work {
  const fit = (total: (s: WorkSample) => number) => fitLinear(samples.map((s) => ({ invocations: s.invocations, items: s.items, total: total(s) })));
  return {
    cpuMs: fit((s) => s.cpuMs),
    requests: Object.fromEntries(REQUEST_FIELDS.map((f) => [f, fit((s) => s.requests[f])])) as Record<keyof RequestCounts, Linear>,
  };
}
