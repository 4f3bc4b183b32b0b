/**
 * Reading one queue message body against the schema of what should be on that queue. A message that is not
 * JSON, or not of the expected shape, comes back with the reason, for the caller to quarantine (never drop).
 *
 * A queued envelope may also carry the correlation id of the request that queued it (`correlationId`), so an
 * operator can follow one HTTP request to the bronze file its records landed in. It rides in the body, not in a
 * message attribute: the body is what every queue (SQS, the local journal, DLQ redrives, replays) keeps whole.
 * Envelope schemas ignore the field, so the bronze rows (and their Parquet schemas) do not change.
 */
import { z } from "zod";
import type { Ports, QueuePort } from "../platform";
import { UncorrelatableMessageError } from "./errors";

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

/** The envelope field holding the correlation id. */
export const CORRELATION_ID_FIELD = "correlationId";

/**
 * A correlation id as a client may send it: at most 128 characters that are safe in a JSON log line, an HTTP
 * header and an X-Ray annotation (UUIDs, ULIDs, API Gateway request ids, `order-42:retry.1`).
 */
export const CorrelationIdSchema = z.string().regex(/^[A-Za-z0-9._:=+/-]{1,128}$/, "must be 1 to 128 letters, digits or . _ : = + / -");

/**
 * The body with the correlation id added to its envelope (an existing one is replaced).
 *
 * @example withCorrelationId('{"v":1}', "req-7") // '{"v":1,"correlationId":"req-7"}'
 */
export function withCorrelationId(body: string, correlationId: string): string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    // No `cause`: JSON.parse's message quotes the body, which may hold a client's personal data.
    throw new UncorrelatableMessageError(body, "it is not JSON");
  }
  if (envelope === null || typeof envelope !== "object" || Array.isArray(envelope)) throw new UncorrelatableMessageError(body, "it is not a JSON object");
  return JSON.stringify({ ...envelope, [CORRELATION_ID_FIELD]: correlationId });
}

/**
 * The correlation id a queued body carries; null when it carries none (queued before correlation ids existed,
 * or by a producer without a request), or when the body is not a JSON object.
 *
 * @example correlationIdOf('{"v":1,"correlationId":"req-7"}') // "req-7"
 */
export function correlationIdOf(body: string): string | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return null;
  }
  if (envelope === null || typeof envelope !== "object") return null;
  const value = (envelope as Record<string, unknown>)[CORRELATION_ID_FIELD];
  return typeof value === "string" && value !== "" ? value : null;
}

/** A queue port that stamps every message it sends with the correlation id. */
export function correlatedQueues(queues: QueuePort, correlationId: string): QueuePort {
  return {
    send: (queue, messages) => queues.send(queue, messages.map((m) => ({ ...m, body: withCorrelationId(m.body, correlationId) }))),
  };
}

/**
 * The same ports, with queues that stamp what one request queues with its correlation id: core code that
 * queues (streams, GA) stays unaware of requests.
 *
 * @example await Streams.answerRecordsRequest(correlatedPorts(ports, event.requestContext.requestId), request)
 */
export function correlatedPorts(ports: Ports, correlationId: string): Ports {
  return { ...ports, queues: correlatedQueues(ports.queues, correlationId) };
}
