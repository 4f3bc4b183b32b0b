/**
 * The ingest ledger (DynamoDB): one item per (key, etag). A conditional write makes "the same file delivered
 * twice is a no-op" hold across retries and concurrent deliveries, without transactions.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Ports } from "../platform";
import { isConditionalCheckFailed } from "../platform/conditional-check";

export type LedgerStatus = "in_progress" | "done";

const itemKey = (key: string, etag: string) => `file#${key}#${etag}`;

/**
 * Claims a file for ingestion. Returns "done" when this exact version was already ingested (nothing to do);
 * "claimed" otherwise — including a crashed earlier attempt, whose deterministic file names we overwrite.
 */
export async function claimFile(ports: Ports, key: string, etag: string): Promise<"claimed" | "done"> {
  try {
    await ports.dynamo.send(
      new PutCommand({
        TableName: ports.tableName("ingest_ledger"),
        Item: { pk: itemKey(key, etag), status: "in_progress", key, etag, claimedAt: new Date().toISOString() },
        ConditionExpression: "attribute_not_exists(pk) OR #status <> :done",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":done": "done" },
      }),
    );
    return "claimed";
  } catch (error) {
    if (isConditionalCheckFailed(error)) return "done";
    throw error;
  }
}

export async function completeFile(ports: Ports, key: string, etag: string, manifestKey: string): Promise<void> {
  await ports.dynamo.send(
    new PutCommand({
      TableName: ports.tableName("ingest_ledger"),
      Item: { pk: itemKey(key, etag), status: "done", key, etag, manifestKey, completedAt: new Date().toISOString() },
    }),
  );
}

export async function ledgerStatus(ports: Ports, key: string, etag: string): Promise<LedgerStatus | undefined> {
  const out = await ports.dynamo.send(new GetCommand({ TableName: ports.tableName("ingest_ledger"), Key: { pk: itemKey(key, etag) } }));
  return out.Item?.status as LedgerStatus | undefined;
}
