/**
 * The forward status of each GA event (DynamoDB `ga_forward_status`, item `pk = "event#<eventId>"`).
 * The Measurement Protocol has no dedupe key, so this table is what keeps an event from reaching Google twice
 * when SQS redelivers its hit. Every write is a conditional single-item update (dynalite has no transactions):
 * `sent` is final — a late attempt or expiry never overwrites it, and a second `sent` keeps the first `sentAt`.
 */
import { BatchGetCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { setTimeout as delay } from "node:timers/promises";
import type { Ports } from "../platform";
import { GaForwardError } from "./forward-errors";
import { isConditionalCheckFailed } from "../platform/conditional-check";

export type ForwardStatus = "pending" | "sent" | "expired";

/** What the status functions need from the ports. */
export type ForwardStatusPorts = Pick<Ports, "dynamo" | "tableName">;

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 8;
/** Parallel single-item updates per round (a hit carries at most 25 events). */
const WRITE_CONCURRENCY = 25;
/** Items expire (attribute `expiresAt`, epoch seconds) after SQS's longest retention (14 days): no message can come back for them. */
const RETENTION_DAYS = 15;
const MAX_ERROR_CHARS = 500;

export const statusKey = (eventId: string) => `event#${eventId}`;

/**
 * The ids among `eventIds` whose events Google has already accepted. Strongly consistent reads, so a `sent`
 * written by the previous delivery is always seen.
 *
 * @example
 * const done = await sentEventIds(ports, hit.events.map((e) => e.eventId));
 * const pending = hit.events.filter((e) => !done.has(e.eventId));
 */
export async function sentEventIds(ports: ForwardStatusPorts, eventIds: readonly string[]): Promise<Set<string>> {
  const table = ports.tableName("ga_forward_status");
  const unique = [...new Set(eventIds)]; // BatchGetItem rejects duplicate keys
  const sent = new Set<string>();
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_LIMIT).map((id) => ({ pk: statusKey(id) }));
    for (let round = 0; keys.length > 0; round++) {
      if (round > UNPROCESSED_RETRIES) throw new GaForwardError(`ga: DynamoDB left ${keys.length} forward-status keys unprocessed after ${UNPROCESSED_RETRIES} retries`);
      // UnprocessedKeys means throttling: back off before asking again (AWS advises exponential backoff here).
      if (round > 0) await delay(Math.min(1_000, 20 * 2 ** round));
      const out = await ports.dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: "eventId, #status", ExpressionAttributeNames: { "#status": "status" } },
          },
        }),
      );
      for (const item of out.Responses?.[table] ?? []) if (item.status === "sent") sent.add(String(item.eventId));
      keys = (out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return sent;
}

/**
 * Records that Google accepted these events (2xx). Idempotent: an event already `sent` keeps its first `sentAt`.
 *
 * @example
 * await markSent(ports, ["e-1", "e-2"], new Date());
 */
export async function markSent(ports: ForwardStatusPorts, eventIds: readonly string[], at: Date): Promise<void> {
  await updateEach(eventIds, (eventId) =>
    conditionalUpdate(ports, eventId, {
      UpdateExpression: "SET eventId = :id, #status = :sent, sentAt = :at, expiresAt = :ttl",
      ConditionExpression: "attribute_not_exists(pk) OR #status <> :sent",
      ExpressionAttributeValues: { ":id": eventId, ":sent": "sent", ":at": at.toISOString(), ":ttl": expiresAt(at) },
    }),
  );
}

/**
 * Records one failed attempt to send an event (status stays `pending`, `attempts` grows, `lastError` is replaced).
 * Ignored when the event is already `sent` or `expired`.
 *
 * @example
 * await markAttempt(ports, "e-1", "ga: Google answered HTTP 503");
 */
export async function markAttempt(ports: ForwardStatusPorts, eventId: string, error: string, at: Date = new Date()): Promise<void> {
  await conditionalUpdate(ports, eventId, {
    UpdateExpression: "SET eventId = :id, #status = :pending, lastError = :error, lastAttemptAt = :at, expiresAt = :ttl ADD attempts :one",
    ConditionExpression: "attribute_not_exists(pk) OR #status = :pending",
    ExpressionAttributeValues: {
      ":id": eventId,
      ":pending": "pending",
      ":error": error.slice(0, MAX_ERROR_CHARS),
      ":at": at.toISOString(),
      ":ttl": expiresAt(at),
      ":one": 1,
    },
  });
}

/**
 * Records that these events are past Google's 72 h backdating window and will never be sent. Never overwrites `sent`.
 *
 * @example
 * await markExpired(ports, ["e-1"], new Date());
 */
export async function markExpired(ports: ForwardStatusPorts, eventIds: readonly string[], at: Date): Promise<void> {
  await updateEach(eventIds, (eventId) =>
    conditionalUpdate(ports, eventId, {
      UpdateExpression: "SET eventId = :id, #status = :expired, expiredAt = :at, expiresAt = :ttl",
      ConditionExpression: "attribute_not_exists(pk) OR #status = :pending",
      ExpressionAttributeValues: { ":id": eventId, ":expired": "expired", ":pending": "pending", ":at": at.toISOString(), ":ttl": expiresAt(at) },
    }),
  );
}

/** The status item of one event, for operators and tests; undefined when nothing was recorded yet. */
export async function forwardStatusOf(
  ports: ForwardStatusPorts,
  eventId: string,
): Promise<{ status: ForwardStatus; attempts: number; lastError?: string; sentAt?: string } | undefined> {
  const out = await ports.dynamo.send(new GetCommand({ TableName: ports.tableName("ga_forward_status"), Key: { pk: statusKey(eventId) }, ConsistentRead: true }));
  const item = out.Item;
  if (!item) return undefined;
  return { status: item.status, attempts: Number(item.attempts ?? 0), lastError: item.lastError, sentAt: item.sentAt };
}

async function conditionalUpdate(
  ports: ForwardStatusPorts,
  eventId: string,
  update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
): Promise<void> {
  try {
    await ports.dynamo.send(
      new UpdateCommand({
        TableName: ports.tableName("ga_forward_status"),
        Key: { pk: statusKey(eventId) },
        ExpressionAttributeNames: { "#status": "status" },
        ...update,
      }),
    );
  } catch (error) {
    // The condition failing is the point: the event already reached a final state.
    if (isConditionalCheckFailed(error)) return;
    throw error;
  }
}

async function updateEach(eventIds: readonly string[], update: (eventId: string) => Promise<void>): Promise<void> {
  const unique = [...new Set(eventIds)];
  for (let start = 0; start < unique.length; start += WRITE_CONCURRENCY) {
    await Promise.all(unique.slice(start, start + WRITE_CONCURRENCY).map(update));
  }
}

const expiresAt = (at: Date) => Math.floor(at.getTime() / 1000) + RETENTION_DAYS * 86_400;
