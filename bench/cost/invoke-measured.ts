/**
 * Invoking a wired handler the way Lambda does (its context, its memory size and timeout from the wiring) while
 * measuring what it costs: CPU time of this whole process (user + system, all threads: libuv's pool does gunzip
 * and fs work) from `process.cpuUsage`, the bytes it logs (stdout and stderr, which Lambda sends to CloudWatch;
 * stdout is swallowed so the report stays readable), and the requests the counting ports saw.
 *
 * Emulators (DynamoDB, the fake Google) run in other processes, so their CPU is not counted; the embedded CDC
 * source runs in this one, so its query work is (see COST.md).
 */
import { lambdaContext, loadHandler, type Handler } from "../../packages/core/src/local";
import type { FunctionDecl } from "../../packages/core/src/wiring";
import type { CountingPorts } from "./counting-ports";
import { MeasurementError } from "./errors";
import { addCounts, REQUEST_FIELDS, zeroCounts, type RequestCounts, type WorkSample } from "./work";

export interface MeasuredCall<T> {
  result: T;
  cpuMs: number;
  requests: RequestCounts;
}

/** CPU, log bytes and counted requests of `run`. Not re-entrant: one measurement at a time. */
export async function measureCall<T>(counting: CountingPorts, run: () => Promise<T>): Promise<MeasuredCall<T>> {
  const before = counting.counts();
  let logBytes = 0;
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const countBytes = (chunk: unknown) => (logBytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    countBytes(chunk);
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    countBytes(chunk);
    return stderrWrite.call(process.stderr, chunk as string, ...(rest as []));
  }) as typeof process.stderr.write;
  const cpu = process.cpuUsage();
  try {
    const result = await run();
    const used = process.cpuUsage(cpu);
    const after = counting.counts();
    const requests = Object.fromEntries(REQUEST_FIELDS.map((f) => [f, after[f] - before[f]])) as unknown as RequestCounts;
    requests.logBytes += logBytes;
    return { result, cpuMs: (used.user + used.system) / 1000, requests };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

export interface WiredFunction {
  decl: FunctionDecl;
  handler: Handler;
}

export async function loadWired(functions: readonly FunctionDecl[], name: string): Promise<WiredFunction> {
  const decl = functions.find((f) => f.name === name);
  if (!decl) throw new MeasurementError(`cost: the wiring declares no function "${name}"`);
  return { decl, handler: await loadHandler(decl.handler) };
}

/** One invocation of a wired handler, measured; a batch response with failures is a failed measurement. */
export async function invokeMeasured(counting: CountingPorts, fn: WiredFunction, event: unknown): Promise<MeasuredCall<unknown>> {
  const context = lambdaContext(fn.decl.name, fn.decl.timeoutSeconds, fn.decl.memoryMb);
  const call = await measureCall(counting, () => fn.handler(event, context));
  const failures = (call.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
  if (failures && failures.length > 0) throw new MeasurementError(`cost: ${fn.decl.name} failed ${failures.length} item(s) of its batch: ${JSON.stringify(failures.slice(0, 3))}`);
  return call;
}

/** Accumulates invocations into one sample. */
export class SampleBuilder {
  private sample: WorkSample = { invocations: 0, items: 0, cpuMs: 0, requests: zeroCounts() };

  add(call: { cpuMs: number; requests: RequestCounts }, items: number): void {
    this.sample = {
      invocations: this.sample.invocations + 1,
      items: this.sample.items + items,
      cpuMs: this.sample.cpuMs + call.cpuMs,
      requests: addCounts(this.sample.requests, call.requests),
    };
  }

  build(): WorkSample {
    if (this.sample.invocations === 0) throw new MeasurementError("cost: a sample has no invocations");
    return this.sample;
  }
}
