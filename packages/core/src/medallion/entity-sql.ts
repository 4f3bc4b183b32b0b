/**
 * `entity_id` in silver, from the link tables. A row's link nodes are computed in SQL exactly as the link step
 * computes them (`link/nodes.ts`: normalised value, or HMAC-SHA256 under LINK_HASH_KEY for hashed keys), each node's
 * starting entity is `ent_` + the first 26 hex digits of SHA-256 of the node id (`entityIdOf`), and the row keeps the
 * smallest as `_entity_start`. Each merge then maps starts to their current survivor through `entity_roots`, loaded
 * from the link table's merge pointers — so a late link re-resolves every earlier row on the next run.
 */
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Dataset, LinkKey } from "../config";
import { tokenSql } from "./pii-sql";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";


function normalisedSql(column: string, key: LinkKey): string {
  const text = `CAST(${sqlIdent(column)} AS VARCHAR)`;
  const value = key.normalise === "none" ? text : key.normalise === "upper" ? `upper(trim(${text}))` : key.normalise === "trim" ? `trim(${text})` : `lower(trim(${text}))`;
  return `nullif(${value}, '')`;
}

/**
 * The SQL of a row's `_entity_start`, or NULL for datasets without link keys.
 *
 * @example entityStartSql(orders, config.links.keys, undefined) // "least(CASE WHEN … END, …)"
 */
export function entityStartSql(dataset: Dataset, keys: Record<string, LinkKey>, linkHashKey: string | undefined): string {
  const starts: string[] = [];
  for (const [column, keyName] of Object.entries(dataset.linkKeys)) {
    const key = keys[keyName];
    if (!key) continue;
    const namespace = key.sameAs ?? keyName;
    const normalised = normalisedSql(column, key);
    // linkNode hashes `<namespace>:<value>`; tokenSql takes a column name, so the hashed text is named in a subquery-free way.
    const value = key.hashed ? hashedSql(`${sqlLiteral(`${namespace}:`)} || ${normalised}`, linkHashKey!) : normalised;
    starts.push(`CASE WHEN ${normalised} IS NULL THEN NULL ELSE 'ent_' || left(sha256(${sqlLiteral(`${namespace}:`)} || ${value}), 26) END`);
  }
  if (starts.length === 0) return "CAST(NULL AS VARCHAR)";
  return starts.length === 1 ? starts[0]! : `least(${starts.join(", ")})`;
}

/** `tokenSql` over an expression instead of a column. */
function hashedSql(expression: string, key: string): string {
  return tokenSql("__value__", key).replaceAll('"__value__"', `(${expression})`);
}

/**
 * Every merged entity → its current survivor, from the link table's `mergedInto` pointers (a full scan: at scale,
 * read a DynamoDB export to S3 instead).
 */
export async function loadEntityRoots(dynamo: DynamoDBDocumentClient, table: string): Promise<Map<string, string>> {
  const parent = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await dynamo.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: "sk = :meta AND attribute_exists(mergedInto)",
        ExpressionAttributeValues: { ":meta": "meta" },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) parent.set(String(item.pk).slice("entity#".length), String(item.mergedInto));
    start = out.LastEvaluatedKey;
  } while (start);
  const roots = new Map<string, string>();
  for (const entity of parent.keys()) {
    let root = entity;
    for (let next = parent.get(root); next !== undefined; next = parent.get(root)) root = next;
    roots.set(entity, root);
  }
  return roots;
}
