/**
 * DynamoDB for the local platform: dynalite speaks the real wire protocol, persisted under TRIBUTARY_HOME.
 * dynalite has no transactions and no streams, so Tributary's designs rely on conditional single-item writes.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import type { TableDecl } from "../wiring";

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** Starts dynalite on a loopback port (persisted at `path`, or in memory) and creates the declared tables. */
export async function startLocalDynamo(options: { path?: string; tables: TableDecl[] }): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
  for (const table of options.tables) await ensureTable(client, table);
  return {
    endpoint,
    client,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function ensureTable(client: DynamoDBClient, table: TableDecl): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table.name }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException) && (error as Error).name !== "ResourceNotFoundException") throw error;
  }
  const keys = [{ AttributeName: table.partitionKey, KeyType: "HASH" as const }];
  const attributes = [{ AttributeName: table.partitionKey, AttributeType: "S" as const }];
  if (table.sortKey) {
    keys.push({ AttributeName: table.sortKey, KeyType: "RANGE" as const } as never);
    attributes.push({ AttributeName: table.sortKey, AttributeType: "S" as const });
  }
  await client.send(new CreateTableCommand({ TableName: table.name, KeySchema: keys, AttributeDefinitions: attributes, BillingMode: "PAY_PER_REQUEST" }));
  // Even with createTableMs: 0, dynalite activates the table on a later tick; a request before that is refused.
  while ((await client.send(new DescribeTableCommand({ TableName: table.name }))).Table?.TableStatus !== "ACTIVE") await new Promise((r) => setTimeout(r, 5));
}
