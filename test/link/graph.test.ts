import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entityIdOf, LinkGraph } from "../../packages/core/src/link";
import type { LocalDynamo } from "../../packages/core/src/local/dynamo";
import { graphAnswer, node, randomRecords, startLinkDynamo, unionFind } from "./link-harness";

let dynamo: LocalDynamo;
let table = 0;
/** A fresh table per test keeps tests independent on one dynalite. */
async function freshGraph(): Promise<{ name: string; graph: () => LinkGraph }> {
  const { CreateTableCommand } = await import("@aws-sdk/client-dynamodb");
  const name = `link_graph_${(table += 1)}`;
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  // dynalite activates a new table on its next tick: under load a request can arrive first.
  const { DescribeTableCommand } = await import("@aws-sdk/client-dynamodb");
  while ((await dynamo.client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== "ACTIVE") await new Promise((r) => setTimeout(r, 5));
  return { name, graph: () => new LinkGraph(dynamo.doc, name) };
}

beforeAll(async () => {
  dynamo = await startLinkDynamo();
});
afterAll(async () => dynamo.stop());

describe("LinkGraph.resolve", () => {
  it("puts a record's keys in one entity and keeps the smallest entity id when a later record bridges two", async () => {
    // Prepare
    const { graph } = await freshGraph();
    const g = graph();
    const customer = node("customer_id", "42");
    const client = node("ga_client_id", "c-1");
    const other = node("ga_client_id", "c-2");

    // Act
    const web = await g.resolve("ga:1", [client]);
    const login = await g.resolve("ga:2", [other, customer]);
    const bridge = await g.resolve("events:3", [client, customer]);

    // Assess
    expect(web.entityId).toBe(entityIdOf(client.id));
    expect(login.entityId).toBe([entityIdOf(other.id), entityIdOf(customer.id)].sort()[0]);
    const survivor = [entityIdOf(client.id), entityIdOf(customer.id), entityIdOf(other.id)].sort()[0]!;
    expect(bridge.entityId).toBe(survivor);
    expect(bridge.merged).toHaveLength(1);
    for (const n of [customer, client, other]) expect(await g.entityOfNode(n.id)).toBe(survivor);
    const members = await g.membersOf(survivor);
    expect(members).toHaveLength(3);
    expect(await g.nodesOf(members)).toEqual([client.id, other.id, customer.id].sort());
    expect(await g.mergeLogOf(members)).toHaveLength(2);
  });

  it("is idempotent per record: resolving the same record again changes nothing", async () => {
    // Prepare
    const { graph } = await freshGraph();
    const records = randomRecords(60, 7);
    const g = graph();
    for (const r of records) await g.resolve(r.recordId, r.nodes);
    const ids = new Set(records.flatMap((r) => r.nodes.map((n) => n.id)));
    const before = await graphAnswer(g, ids);

    // Act
    const again = graph();
    const merges = [];
    for (const r of records) merges.push(...(await again.resolve(r.recordId, r.nodes)).merged);

    // Assess
    expect(merges).toEqual([]);
    expect(await graphAnswer(again, ids)).toEqual(before);
  });

  it("answers unknown nodes and entities with undefined / false", async () => {
    const { graph } = await freshGraph();
    const g = graph();
    expect(await g.entityOfNode("customer_id:nobody")).toBeUndefined();
    expect(await g.entityExists(entityIdOf("customer_id:nobody"))).toBe(false);
  });
});

describe("LinkGraph under concurrency", () => {
  it("two workers merging the same entity into different survivors at once: the loser re-reads and all three end as one", async () => {
    // Prepare: three nodes in three entities; r has the largest id, so record A merges r into s and record B merges
    // r into t. B's merge write is held until A has finished, so both decided from the same stale view.
    const { name, graph } = await freshGraph();
    const [s, t, r] = ["a", "b", "c"].map((v) => node("ga_client_id", v)).sort((x, y) => entityIdOf(x.id).localeCompare(entityIdOf(y.id)));
    const setup = graph();
    for (const n of [s!, t!, r!]) await setup.resolve(`setup:${n.id}`, [n]);
    let releaseB!: () => void;
    const aDone = new Promise<void>((resolve) => (releaseB = resolve));
    const { UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
    const held = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && (command.input.Key as { sk?: string }).sk === "meta") await aDone;
        return dynamo.doc.send(command as never);
      },
    } as unknown as typeof dynamo.doc;
    const workerA = graph();
    const workerB = new LinkGraph(held, name);

    // Act
    const b = workerB.resolve("B", [r!, t!]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // B has read its roots and is waiting to write
    await workerA.resolve("A", [r!, s!]);
    releaseB();
    await b;

    // Assess
    const expected = unionFind([
      { recordId: "A", nodes: [r!, s!] },
      { recordId: "B", nodes: [r!, t!] },
    ]);
    expect(new Set(expected.values()).size).toBe(1);
    expect(await graphAnswer(graph(), expected.keys())).toEqual(expected);
    const root = entityIdOf(s!.id);
    expect(await graph().membersOf(root)).toHaveLength(3);
  });

  it("many workers over overlapping records in parallel end with the graph a sequential union-find computes", async () => {
    // Prepare: 12 workers (each its own LinkGraph: no shared cache, like separate Lambda containers) share 400
    // records; every record is delivered to two workers (SQS at-least-once), in a different order per worker.
    const { graph } = await freshGraph();
    const records = randomRecords(400, 20261121);
    const workers = 12;
    const queues = Array.from({ length: workers }, () => [] as typeof records);
    records.forEach((r, i) => {
      queues[i % workers]!.push(r);
      queues[(i * 7 + 3) % workers]!.push(r);
    });
    queues.forEach((q, w) => q.sort((a, b) => ((a.recordId.length * 31 + w) % 5) - ((b.recordId.length * 17 + w) % 5) || (w % 2 ? a.recordId.localeCompare(b.recordId) : b.recordId.localeCompare(a.recordId))));

    // Act
    await Promise.all(
      queues.map(async (queue) => {
        const g = graph();
        for (const r of queue) await g.resolve(r.recordId, r.nodes);
      }),
    );

    // Assess
    const expected = unionFind(records);
    const actual = await graphAnswer(graph(), expected.keys());
    expect(actual).toEqual(expected);
    const groups = new Set(expected.values());
    expect(groups.size).toBeGreaterThan(1); // the data really has several entities…
    expect(groups.size).toBeLessThan(expected.size / 3); // …and many merges happened
    // Every survivor's members hold exactly its group's nodes.
    const g = graph();
    for (const root of groups) {
      const nodes = [...expected].filter(([, r]) => r === root).map(([id]) => id).sort();
      expect(await g.nodesOf(await g.membersOf(root))).toEqual(nodes);
    }
  }, 60_000);
});
