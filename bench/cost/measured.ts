/**
 * What the measurement hands the cost model, per path: each function's fitted work, and the sizes the seeds'
 * design is priced from. Also the function specs (memory, batching) read from the wiring, so the model prices
 * exactly what the stacks deploy.
 */
import type { Wiring } from "../../packages/core/src/wiring";
import { MeasurementError } from "./errors";
import type { Work } from "./work";

export interface MeasuredGa {
  proxy: Work;
  bronze: Work;
  forward: Work;
  /** Per record linked (items = records). */
  link: Work;
  /** Bronze rows landed per hit (events per hit). */
  rowsPerHit: number;
  /** Bytes of one accepted hit as queued (what the seeds' proxy would put on the stream). */
  hitBytes: number;
  /** Bronze Parquet bytes per hit. */
  bronzeBytesPerHit: number;
}

export interface MeasuredCdc {
  /** Per poll and per change row, from polls that found changes (a small and a large one). */
  poll: Work;
  /** Only reading the same change rows from the source (what the seeds' poller does before PutRecords). */
  readOnly: Work;
  link: Work;
  rowsPerChange: number;
  /** Bytes of one change row as JSON (what the seeds' poller would put on the stream). */
  changeBytes: number;
  bronzeBytesPerChange: number;
  /** Tables the source polls (each gets its own CDC metrics). */
  tables: number;
}

export interface MeasuredFiles {
  /** Per file and per GiB of CSV; what it announces is per file (files over 50,000 rows are announced once, without keys). */
  ingest: Work;
  link: Work;
  rowsPerGiB: number;
  /** gzip bytes / CSV bytes of the generated files. */
  gzipRatio: number;
  bronzeBytesPerGiB: number;
}

export interface FunctionSpec {
  memoryMb: number;
  timeoutSeconds: number;
  /** Queue triggers only. */
  queue?: { queue: string; batchSize: number; batchWindowSeconds: number };
  /** Schedule triggers only: invocations a month of each schedule. */
  schedulesPerMonth?: number;
}

export type FunctionSpecs = Record<string, FunctionSpec>;

/** Invocations a month of a `rate(n unit)` schedule expression. */
export function invocationsPerMonth(expression: string, hoursPerMonth: number): number {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) throw new MeasurementError(`cost: schedule ${expression} is not a rate(n unit) expression the model can count`);
  const minutes = Number(m[1]) * (m[2]!.startsWith("minute") ? 1 : m[2]!.startsWith("hour") ? 60 : 1440);
  return (hoursPerMonth * 60) / minutes;
}

/**
 * @example specsFromWiring(wiring(config, { lakeBucket: "b" }), 730)["ga-bronze"] // { memoryMb: 1024, timeoutSeconds: 30, queue: { queue: "ga-hits", batchSize: 500, batchWindowSeconds: 1 } }
 */
export function specsFromWiring(w: Wiring, hoursPerMonth: number): FunctionSpecs {
  const specs: FunctionSpecs = {};
  for (const fn of w.functions) {
    const spec: FunctionSpec = { memoryMb: fn.memoryMb, timeoutSeconds: fn.timeoutSeconds };
    for (const t of fn.triggers) {
      if (t.kind === "queue") spec.queue = { queue: t.queue, batchSize: t.batchSize, batchWindowSeconds: t.batchWindowSeconds };
      if (t.kind === "schedule") spec.schedulesPerMonth = invocationsPerMonth(t.expression, hoursPerMonth);
    }
    specs[fn.name] = spec;
  }
  return specs;
}

export function specOf(specs: FunctionSpecs, name: string): FunctionSpec {
  const spec = specs[name];
  if (!spec) throw new MeasurementError(`cost: the wiring declares no function "${name}" (known: ${Object.keys(specs).join(", ")})`);
  return spec;
}

export function queueOf(specs: FunctionSpecs, name: string): NonNullable<FunctionSpec["queue"]> {
  const queue = specOf(specs, name).queue;
  if (!queue) throw new MeasurementError(`cost: function "${name}" has no queue trigger in the wiring`);
  return queue;
}
