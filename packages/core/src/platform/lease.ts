/**
 * A lease: one holder at a time for a named piece of work, kept as an item in a DynamoDB table and taken with a
 * conditional write (dynalite has no transactions, and none are needed). An expired lease — its holder died — can
 * be taken over. Releasing is conditional on the holder, so a holder whose lease was taken over cannot release
 * the new holder's. Used by the CDC poller (one poll per source) and the medallion workflow (one run at a time).
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { TableName } from "../wiring";
import { isConditionalCheckFailed } from "./conditional-check";
import type { Ports } from "./ports";

export interface Lease {
  key: string;
  holder: string;
  expiresAt: number;
  release(): Promise<void>;
}

/** The lease is held by someone else until `expiresAt` (epoch ms). */
export class LeaseHeldError extends Error {
  constructor(readonly key: string, readonly holder: string, readonly expiresAt: number) {
    super(`platform: lease ${key} is held by ${holder} until ${new Date(expiresAt).toISOString()}`);
    this.name = "LeaseHeldError";
  }
}

export interface LeaseRequest {
  table: TableName;
  /** Partition key of the lease item, e.g. `lease#backend`. */
  key: string;
  durationMs: number;
  /** Who takes it (e.g. a state machine execution's id, so another process can release it); a random id when omitted. */
  holder?: string;
  /** Extra attributes stored on the lease item (what holds it, for status pages). */
  attributes?: Record<string, string>;
  now?: number;
}

/**
 * @example
 * const lease = await acquireLease(ports, { table: "cdc_offsets", key: "lease#backend", durationMs: 300_000 });
 * try { … } finally { await lease.release(); }
 */
export async function acquireLease(ports: Ports, request: LeaseRequest): Promise<Lease> {
  const holder = request.holder ?? randomUUID();
  const now = request.now ?? Date.now();
  const expiresAt = now + request.durationMs;
  const TableName = ports.tableName(request.table);
  try {
    await ports.dynamo.send(
      new PutCommand({
        TableName,
        Item: { ...request.attributes, pk: request.key, kind: "lease", holder, expiresAt },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": now },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      const item = (error as { Item?: Record<string, { S?: string; N?: string }> }).Item;
      throw new LeaseHeldError(request.key, item?.holder?.S ?? "another holder", Number(item?.expiresAt?.N ?? expiresAt));
    }
    throw error;
  }
  return { key: request.key, holder, expiresAt, release: () => releaseLease(ports, request.table, request.key, holder) };
}

/**
 * Releases a lease by its holder id — also from another process than the one that took it (a state machine's
 * last step releases what its first step took). Releasing a lease someone else now holds does nothing.
 *
 * @example await releaseLease(ports, "workflow_state", "lease#medallion", work.lease.holder)
 */
export async function releaseLease(ports: Ports, table: TableName, key: string, holder: string): Promise<void> {
  await ports.dynamo
    .send(
      new DeleteCommand({
        TableName: ports.tableName(table),
        Key: { pk: key },
        ConditionExpression: "holder = :holder",
        ExpressionAttributeValues: { ":holder": holder },
      }),
    )
    .catch((error: Error) => {
      // Someone took over an expired lease: it is theirs now, nothing to release.
      if (!isConditionalCheckFailed(error)) throw error;
    });
}
