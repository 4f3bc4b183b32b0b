/**
 * Link resolution throughput (issue #6): records resolved to entities per second by `LinkGraph.resolve` on dynalite,
 * in one process, side by side with a baseline measured in the same run: the same number of plain single-item
 * DynamoDB writes (one PutItem per record, no reads, no conditions) at the same concurrency — what the emulator
 * itself can do. Goal: ≥ 2,000 resolutions/s per process.
 *
 * The records are shaped like the example domain (web hits with a client id and sometimes a user id, orders with a
 * customer and a kit, lab results with a kit) over a key space small enough that many records bridge entities.
 * "cold" = a new LinkGraph per round (no pointer cache: like a fresh Lambda container); "warm" = the same records
 * again through the graph that just resolved them (every node known, no merges left), like a replayed batch.
 *
 * Run: npm run bench -- link   (BENCH_LINK_RECORDS default 20000, BENCH_LINK_CONCURRENCY default 16, BENCH_ROUNDS default 2,
 * BENCH_LINK_DYNALITE=process to run the emulator in its own process)
 */
import { cpus, totalmem } from "node:os";
import { spawn } from "node:child_process";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { LinkGraph } from "../packages/core/src/link";
import { startLocalDynamo, type LocalDynamo } from "../packages/core/src/local/dynamo";
import { randomRecords, type TestRecord } from "../test/link/link-harness";

const RECORDS = Number(process.env.BENCH_LINK_RECORDS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_LINK_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const GOAL = 2_000;

interface Sample {
  side: string;
  ms: number;
  requests: number;
}

async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
  }));
}

/** Counts the DynamoDB requests a side makes (a resolution's cost in round trips). */
function counting(doc: DynamoDBDocumentClient): { doc: DynamoDBDocumentClient; requests: () => number } {
  let n = 0;
  const wrapped = { send: (command: never) => ((n += 1), doc.send(command)) } as unknown as DynamoDBDocumentClient;
  return { doc: wrapped, requests: () => n };
}

const ANNOUNCEMENT = 500;

async function freshTable(dynamo: LocalDynamo, name: string): Promise<string> {
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return name;
}

/**
 * dynalite in its own process (BENCH_LINK_DYNALITE=process): the link process then only pays for its own work, as
 * it would against DynamoDB; in this process (the default), the emulator competes for the same thread.
 */
async function startDynalite(): Promise<LocalDynamo> {
  if (process.env.BENCH_LINK_DYNALITE !== "process") return startLocalDynamo({ tables: [] });
  const child = spawn(process.execPath, ["-e", "const s=require('dynalite')({createTableMs:0});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`bench: dynalite exited with ${code}`)));
  });
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  return { endpoint: `http://127.0.0.1:${port}`, client, doc: DynamoDBDocumentClient.from(client), stop: async () => void child.kill() };
}

export async function benchLinkResolve(): Promise<string> {
  const dynamo = await startDynalite();
  // Each key recurs about ten times on average: a steady state where most records carry keys already seen.
  const records = randomRecords(RECORDS, 0x11c, { customers: RECORDS / 10, clients: RECORDS / 8, kits: RECORDS / 10 });
  const announcements = Array.from({ length: Math.ceil(records.length / ANNOUNCEMENT) }, (_, i) => records.slice(i * ANNOUNCEMENT, (i + 1) * ANNOUNCEMENT));
  const samples: Sample[] = [];
  const timed = async (side: string, table: string, run: (doc: DynamoDBDocumentClient) => Promise<void>) => {
    const c = counting(dynamo.doc);
    const t0 = performance.now();
    await run(c.doc);
    samples.push({ side, ms: performance.now() - t0, requests: c.requests() });
    void table;
  };
  const sides: [string, (round: number) => Promise<void>][] = [
    ["plain PutItem per record (baseline)", async (round) => {
      const table = await freshTable(dynamo, `bench_plain_${round}`);
      await timed("plain PutItem per record (baseline)", table, (doc) =>
        inParallel(records, CONCURRENCY, async (r) => void (await doc.send(new PutCommand({ TableName: table, Item: { pk: `plain#${r.recordId}`, sk: "x", n: r.nodes.length } })))),
      );
    }],
    ["resolve, one record at a time (cold)", async (round) => {
      const table = await freshTable(dynamo, `bench_one_${round}`);
      await timed("resolve, one record at a time (cold)", table, async (doc) => {
        const graph = new LinkGraph(doc, table);
        await inParallel(records, CONCURRENCY, async (r: TestRecord) => void (await graph.resolve(r.recordId, r.nodes)));
      });
    }],
    [`resolveMany, announcements of ${ANNOUNCEMENT} (cold)`, async (round) => {
      const table = await freshTable(dynamo, `bench_many_${round}`);
      let graph: LinkGraph | undefined;
      await timed(`resolveMany, announcements of ${ANNOUNCEMENT} (cold)`, table, async (doc) => {
        graph = new LinkGraph(doc, table);
        for (const batch of announcements) await graph.resolveMany(batch, CONCURRENCY);
      });
      // The same records again through a new graph (no cache: a fresh container replaying the batches).
      await timed(`resolveMany, replayed (every node known)`, table, async (doc) => {
        const again = new LinkGraph(doc, table);
        for (const batch of announcements) await again.resolveMany(batch, CONCURRENCY);
      });
    }],
  ];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const [, run] of order) await run(round);
    }
  } finally {
    await dynamo.stop();
  }
  return report(samples);
}

function report(samples: Sample[]): string {
  const sides = [...new Set(samples.map((s) => s.side))].sort((a, b) => Number(b.includes("baseline")) - Number(a.includes("baseline")));
  const rate = (side: string) => {
    const of = samples.filter((s) => s.side === side);
    return { of, perSecond: (RECORDS * of.length) / (of.reduce((n, s) => n + s.ms, 0) / 1000) };
  };
  const base = rate(sides[0]!).perSecond;
  const lines = [
    `Machine: ${cpus().length} vCPU ${cpus()[0]?.model.trim() ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ${RECORDS} records, concurrency ${CONCURRENCY}, ${ROUNDS} rounds alternating; dynalite ${process.env.BENCH_LINK_DYNALITE === "process" ? "in its own process" : "in this process"}.`,
    "",
    "| side | seconds (each round) | records/s (mean) | DynamoDB requests per record | × baseline | goal ≥ 2,000/s |",
    "|---|---|---:|---:|---:|---|",
  ];
  for (const side of sides) {
    const { of, perSecond } = rate(side);
    const requests = of.reduce((n, s) => n + s.requests, 0) / (RECORDS * of.length);
    const goal = side.includes("baseline") ? "—" : perSecond >= GOAL ? "met" : "not met";
    lines.push(`| ${side} | ${of.map((s) => (s.ms / 1000).toFixed(2)).join(", ")} | ${Math.round(perSecond)} | ${requests.toFixed(2)} | ${(perSecond / base).toFixed(2)} | ${goal} |`);
  }
  return lines.join("\n");
}
