/**
 * Link graph fixtures: dynalite with the two link tables, random records over an overlapping key space, and the
 * reference answer — a sequential union-find that keeps the smallest entity id as root, as the graph promises.
 */
import { seededRandom } from "../../packages/core/src/cdc/embedded-changes";
import { entityIdOf, LinkGraph, type LinkNode } from "../../packages/core/src/link";
import { startLocalDynamo, type LocalDynamo } from "../../packages/core/src/local/dynamo";
import type { TableDecl } from "../../packages/core/src/wiring";

export const LINK_TABLES: TableDecl[] = [
  { name: "link_graph", partitionKey: "pk", sortKey: "sk" },
  { name: "realtime_reports", partitionKey: "pk", sortKey: "sk" },
];

export async function startLinkDynamo(): Promise<LocalDynamo> {
  return startLocalDynamo({ tables: LINK_TABLES });
}

export const node = (key: string, value: string): LinkNode => ({ key, value, id: `${key}:${value}` });

export interface TestRecord {
  recordId: string;
  nodes: LinkNode[];
}

/**
 * Records shaped like the example domain: web hits (client id, sometimes a user id), orders (customer + kit),
 * lab results (kit only). A small key space makes records overlap and bridge entities often.
 */
export function randomRecords(count: number, seed: number, space = { customers: 40, clients: 70, kits: 50 }): TestRecord[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  return Array.from({ length: count }, (_, i) => {
    const shape = pick(3);
    const nodes =
      shape === 0
        ? [node("ga_client_id", `c${pick(space.clients)}`), ...(random() < 0.4 ? [node("customer_id", String(pick(space.customers)))] : [])]
        : shape === 1
          ? [node("customer_id", String(pick(space.customers))), node("kit_barcode", `KIT-${pick(space.kits)}`)]
          : [node("kit_barcode", `KIT-${pick(space.kits)}`)];
    return { recordId: `r${i}`, nodes };
  });
}

/** Sequential union-find over the same records: node id → root entity id (the smallest `entityIdOf` in its group). */
export function unionFind(records: TestRecord[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (e: string): string => {
    let root = e;
    while (parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  for (const record of records) {
    const roots = record.nodes.map((n) => {
      const e = entityIdOf(n.id);
      if (!parent.has(e)) parent.set(e, e);
      return find(e);
    });
    const smallest = [...roots].sort()[0]!;
    for (const r of roots) parent.set(r, smallest);
  }
  const out = new Map<string, string>();
  for (const record of records) for (const n of record.nodes) out.set(n.id, find(entityIdOf(n.id)));
  return out;
}

/** The graph's answer for every node: node id → current entity. */
export async function graphAnswer(graph: LinkGraph, nodeIds: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of nodeIds) out.set(id, (await graph.entityOfNode(id)) ?? "(missing)");
  return out;
}
