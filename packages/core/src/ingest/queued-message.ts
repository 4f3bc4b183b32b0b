/**
 * Reading one queue message body against the schema of what should be on that queue. A message that is not
 * JSON, or not of the expected shape, comes back with the reason, for the caller to quarantine (never drop).
 */
import type { z } from "zod";

export type QueuedMessage<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * @example parseQueuedMessage("{}", GaHitSchema, "a GA hit") // { ok: false, reason: "queue message is not a GA hit: v: …" }
 */
export function parseQueuedMessage<T>(body: string, schema: z.ZodType<T>, expected: string): QueuedMessage<T> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "queue message is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reason: `queue message is not ${expected}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
}
