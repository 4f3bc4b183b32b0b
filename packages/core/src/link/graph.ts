/**
 * The link graph in DynamoDB (table `link_graph`, pk + sk), kept correct with conditional single-item writes only
 * (no transactions: the local emulator has none, and they cost double):
 *
 * | pk                | sk               | what                                                            |
 * |-------------------|------------------|-----------------------------------------------------------------|
 * | `key#<node>`      | `key`            | key → entity: the entity the node started in (`entityIdOf(node)`) |
 * | `entity#<id>`     | `key#<node>`     | entity → keys: the nodes that started in this entity            |
 * | `entity#<id>`     | `meta`           | `mergedInto`: set once, by a conditional write, when merged     |
 * | `entity#<id>`     | `merged#<child>` | merge log: which entity merged into this one, when, by which record |
 *
 * An entity is current while its `meta` has no `mergedInto`; a merged entity points at a strictly smaller id, so
 * following pointers always ends, and the survivor of a connected group is its smallest entity id whatever order
 * records arrived in — exactly what a sequential union-find that keeps the smallest root computes.
 */
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { MergeContentionError } from "./errors";
import { entityIdOf, type LinkNode } from "./nodes";
import { isConditionalCheckFailed } from "../platform/conditional-check";

const MAX_MERGE_ATTEMPTS = 25;
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;

export interface Resolution {
  entityId: string;
  /** Entities this record merged into the survivor (empty when its keys already agreed). */
  merged: string[];
}

export interface MergeLogEntry {
  survivor: string;
  merged: string;
  at: string;
  recordId: string;
}

export class LinkGraph {
  /** `mergedInto` is written once and never changes, so a pointer seen once is true forever. */
  private readonly mergedInto = new Map<string, string>();
  /** Nodes this process has registered (their key items are idempotent puts, skipped when known). */
  private readonly registered = new Set<string>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Puts a record's nodes in one entity and returns it: registers new nodes, follows each node's entity to its
   * survivor, and merges differing survivors into the smallest. Idempotent: a record resolved again changes nothing.
   *
   * @example await graph.resolve("orders:…", [customerNode, kitNode]) // { entityId: "ent_0a1…", merged: [] }
   */
  async resolve(recordId: string, nodes: LinkNode[]): Promise<Resolution> {
    await this.register(nodes);
    const starts = [...new Set(nodes.map((n) => entityIdOf(n.id)))];
    const merged: string[] = [];
    for (let attempt = 1; attempt <= MAX_MERGE_ATTEMPTS; attempt += 1) {
      const roots = [...new Set(await this.rootsOf(starts))].sort();
      const [survivor, ...others] = roots;
      if (!survivor) throw new Error(`link: record ${recordId} has no link nodes`);
      if (others.length === 0) return { entityId: survivor, merged };
      let all = true;
      for (const other of others) {
        if (await this.merge(other, survivor, recordId)) merged.push(other);
        else all = false;
      }
      // Every entity now points at the survivor (which may itself be merged meanwhile: still the same group).
      if (all) return { entityId: survivor, merged };
    }
    throw new MergeContentionError(recordId, MAX_MERGE_ATTEMPTS);
  }

  /**
   * `resolve` for many records at once, in far fewer round trips: every new node is registered in shared batch
   * writes and every record's entities are followed in shared batch reads; only records whose entities differ
   * take the merge path one by one. Safe for the same reason `resolve` is: entities only ever merge, so records
   * whose entities already agree are done, and the merges are the same conditional writes.
   *
   * @example const resolutions = await graph.resolveMany(rows.map((r) => ({ recordId: r.id, nodes: r.nodes })));
   */
  async resolveMany(records: { recordId: string; nodes: LinkNode[] }[], concurrency = 16): Promise<Resolution[]> {
    await this.register(records.flatMap((r) => r.nodes));
    const startsOf = records.map((r) => [...new Set(r.nodes.map((n) => entityIdOf(n.id)))]);
    const allStarts = [...new Set(startsOf.flat())];
    const allRoots = await this.rootsOf(allStarts);
    const known = new Map(allStarts.map((start, i) => [start, allRoots[i]!] as const));
    const out: Resolution[] = new Array(records.length);
    const pending: number[] = [];
    startsOf.forEach((starts, i) => {
      const roots = new Set(starts.map((e) => known.get(e)!));
      if (roots.size === 1) out[i] = { entityId: [...roots][0]!, merged: [] };
      else pending.push(i);
    });
    let next = 0;
    const worker = async () => {
      for (let k = next++; k < pending.length; k = next++) {
        const i = pending[k]!;
        out[i] = await this.resolve(records[i]!.recordId, records[i]!.nodes);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
    return out;
  }

  /** The current entity of an entity id (itself when never merged). */
  async rootOf(entityId: string): Promise<string> {
    const [root] = await this.rootsOf([entityId]);
    return root!;
  }

  /** The current entity of a node, or undefined when no record ever carried it. */
  async entityOfNode(nodeId: string): Promise<string | undefined> {
    const item = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: { pk: `key#${nodeId}`, sk: "key" }, ConsistentRead: true }));
    const entity = item.Item?.entity;
    return typeof entity === "string" ? this.rootOf(entity) : undefined;
  }

  /** Whether any node ever started in this entity (or it is a survivor of merges). */
  async entityExists(entityId: string): Promise<boolean> {
    const out = await this.dynamo.send(new QueryCommand({ TableName: this.table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `entity#${entityId}` }, Limit: 1 }));
    return (out.Items?.length ?? 0) > 0;
  }

  /**
   * A survivor and every entity merged into it, directly or not (the entities whose report items it unites).
   * Merge-log entries are written before the merge itself, so each is checked against the child's `mergedInto`.
   */
  async membersOf(root: string): Promise<string[]> {
    const members = [root];
    for (let i = 0; i < members.length; i += 1) {
      const parent = members[i]!;
      const children = (await this.queryPrefix(parent, "merged#")).map((item) => String(item.merged));
      const pointers = await this.pointersOf(children);
      for (const child of children) if (pointers.get(child) === parent) members.push(child);
    }
    return members;
  }

  /** The nodes of an entity and everything merged into it, e.g. `["customer_id:42", "ga_client_id:c1"]`. */
  async nodesOf(members: string[]): Promise<string[]> {
    const nodes: string[] = [];
    for (const member of members) for (const item of await this.queryPrefix(member, "key#")) nodes.push(String(item.node));
    return nodes.sort();
  }

  /** Merge-log entries of these entities (what silver and reports use to re-resolve late links). */
  async mergeLogOf(members: string[]): Promise<MergeLogEntry[]> {
    const entries: MergeLogEntry[] = [];
    for (const member of members) {
      const items = await this.queryPrefix(member, "merged#");
      const pointers = await this.pointersOf(items.map((item) => String(item.merged)));
      for (const item of items) {
        if (pointers.get(String(item.merged)) !== member) continue;
        entries.push({ survivor: member, merged: String(item.merged), at: String(item.at), recordId: String(item.recordId) });
      }
    }
    return entries;
  }

  /** Node → key item and entity → key item, both idempotent puts of the same content whoever writes them. */
  private async register(nodes: LinkNode[]): Promise<void> {
    const fresh = [...new Map(nodes.filter((n) => !this.registered.has(n.id)).map((n) => [n.id, n])).values()];
    if (fresh.length === 0) return;
    const at = this.now().toISOString();
    const puts = fresh.flatMap((n) => {
      const entity = entityIdOf(n.id);
      return [
        { pk: `key#${n.id}`, sk: "key", entity, key: n.key, at },
        { pk: `entity#${entity}`, sk: `key#${n.id}`, node: n.id, key: n.key, at },
      ];
    });
    const chunks = Array.from({ length: Math.ceil(puts.length / BATCH_WRITE_LIMIT) }, (_, c) => puts.slice(c * BATCH_WRITE_LIMIT, (c + 1) * BATCH_WRITE_LIMIT));
    await Promise.all(
      chunks.map(async (chunk) => {
        let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const out = await this.dynamo.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } }));
          requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
        }
      }),
    );
    for (const n of fresh) this.registered.add(n.id);
  }

  /** Follows `mergedInto` pointers until each entity's current survivor (consistent reads: a stale root only costs a retry). */
  private async rootsOf(entities: string[]): Promise<string[]> {
    const follow = (e: string) => {
      let current = e;
      for (let next = this.mergedInto.get(current); next !== undefined; next = this.mergedInto.get(current)) current = next;
      return current;
    };
    for (;;) {
      const frontier = [...new Set(entities.map(follow))];
      const pointers = await this.pointersOf(frontier);
      if (pointers.size === 0) return entities.map(follow);
    }
  }

  /** `mergedInto` of each entity that has one (remembered: it never changes). */
  private async pointersOf(entities: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(entities)];
    const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_GET_LIMIT) }, (_, c) => unique.slice(c * BATCH_GET_LIMIT, (c + 1) * BATCH_GET_LIMIT));
    await Promise.all(chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] = chunk.map((e) => ({ pk: `entity#${e}`, sk: "meta" }));
      while (keys.length > 0) {
        const out = await this.dynamo.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.table] ?? []) {
          if (typeof item.mergedInto !== "string") continue;
          const entity = String(item.pk).slice("entity#".length);
          found.set(entity, item.mergedInto);
          this.mergedInto.set(entity, item.mergedInto);
        }
        keys = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }));
    return found;
  }

  /**
   * Points `child` at `survivor` unless someone merged it first (then the caller re-reads and tries again). The log
   * entry goes first, so a crash in between leaves an entry the readers ignore rather than a merge nobody logged.
   */
  private async merge(child: string, survivor: string, recordId: string): Promise<boolean> {
    const at = this.now().toISOString();
    const log = { pk: `entity#${survivor}`, sk: `merged#${child}` };
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: log,
        UpdateExpression: "SET merged = :child, #at = :at, recordId = :record",
        ExpressionAttributeNames: { "#at": "at" },
        ExpressionAttributeValues: { ":child": child, ":at": at, ":record": recordId },
      }),
    );
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `entity#${child}`, sk: "meta" },
          UpdateExpression: "SET mergedInto = :survivor, mergedAt = :at, mergedBy = :record",
          ConditionExpression: "attribute_not_exists(mergedInto)",
          ExpressionAttributeValues: { ":survivor": survivor, ":at": at, ":record": recordId },
        }),
      );
      this.mergedInto.set(child, survivor);
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Another worker may have merged the same child into the same survivor (and shares this log item): keep it then.
      const pointers = await this.pointersOf([child]);
      if (pointers.get(child) !== survivor) await this.dynamo.send(new DeleteCommand({ TableName: this.table, Key: log }));
      return false;
    }
  }

  private async queryPrefix(entity: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": `entity#${entity}`, ":prefix": prefix },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
