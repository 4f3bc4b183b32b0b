/**
 * One poll per source at a time. The schedule fires every minute, and a poll that runs long (a snapshot, a
 * backlog) must not be joined by a second one; Lambda may also deliver a scheduled event twice. A lease item
 * in `cdc_offsets` is taken with a conditional write and released at the end; an expired lease (a poller that
 * died) can be taken over.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Ports } from "../platform";
import { SourceBusyError } from "./errors";
import { isConditionalCheckFailed } from "../platform/conditional-check";

export interface Lease {
  source: string;
  holder: string;
  expiresAt: number;
  release(): Promise<void>;
}

const leaseKey = (source: string) => `lease#${source}`;

/**
 * @example
 * const lease = await acquireLease(ports, "backend", 300_000);
 * try { … } finally { await lease.release(); }
 */
export async function acquireLease(ports: Ports, source: string, durationMs: number, now = Date.now()): Promise<Lease> {
  const holder = randomUUID();
  const expiresAt = now + durationMs;
  const TableName = ports.tableName("cdc_offsets");
  try {
    await ports.dynamo.send(
      new PutCommand({
        TableName,
        Item: { pk: leaseKey(source), kind: "lease", source, holder, expiresAt },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": now },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      const item = (error as { Item?: Record<string, { S?: string; N?: string }> }).Item;
      throw new SourceBusyError(source, item?.holder?.S ?? "another poller", Number(item?.expiresAt?.N ?? expiresAt));
    }
    throw error;
  }
  return {
    source,
    holder,
    expiresAt,
    release: async () => {
      await ports.dynamo
        .send(new DeleteCommand({ TableName, Key: { pk: leaseKey(source) }, ConditionExpression: "holder = :holder", ExpressionAttributeValues: { ":holder": holder } }))
        .catch((error: Error) => {
          // Someone took over an expired lease: it is theirs now, nothing to release.
          if (!isConditionalCheckFailed(error)) throw error;
        });
    },
  };
}
