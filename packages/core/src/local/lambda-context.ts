/**
 * Invoking a handler the way Lambda does: a context object with a deadline, and a timeout that fails the
 * invocation (the caller then retries or redelivers exactly as the AWS trigger would).
 */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class LocalTimeoutError extends Error {
  constructor(readonly functionName: string, readonly timeoutSeconds: number) {
    super(`local: ${functionName} timed out after ${timeoutSeconds}s`);
    this.name = "LocalTimeoutError";
  }
}

/** The deprecated callback-style completions: no-ops, shared by every context rather than made per invocation. */
const ignoreCompletion = (): void => undefined;

export function lambdaContext(functionName: string, timeoutSeconds: number, memoryMb: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: ignoreCompletion,
    fail: ignoreCompletion,
    succeed: ignoreCompletion,
  };
}

/** Runs a handler with a fresh context, failing it with `LocalTimeoutError` past its timeout. */
export async function invokeLocally(
  fn: { name: string; timeoutSeconds: number; memoryMb: number },
  handler: Handler,
  event: unknown,
): Promise<unknown> {
  const context = lambdaContext(fn.name, fn.timeoutSeconds, fn.memoryMb);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LocalTimeoutError(fn.name, fn.timeoutSeconds)), fn.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
