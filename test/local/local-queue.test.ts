import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidQueueArgumentError, InvalidReceiptHandleError, QueueClosedError, QueueJournalCorruptError } from "../../packages/core/src/local/errors";
import { LocalQueue, openDeclaredQueue, type LocalQueueOptions } from "@tributary/core/local/queue";
import { localRedrivePort, replayDeadLetters } from "@tributary/core/ops";

let dir: string;
let clock: number;
const opened: LocalQueue[] = [];

async function openQueue(options: Partial<LocalQueueOptions> = {}): Promise<LocalQueue> {
  const queue = await LocalQueue.open({ name: "q", dir: join(dir, "q"), visibilityTimeoutSeconds: 30, now: () => clock, ...options });
  opened.push(queue);
  return queue;
}

const messages = (n: number, prefix = "m") => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, body: `body-${prefix}${i}` }));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-queue-"));
  clock = Date.parse("2026-03-01T00:00:00Z");
});

afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close();
  await rm(dir, { recursive: true, force: true });
});

describe("LocalQueue send / receive / delete", () => {
  it("delivers messages oldest first with a receive count and a receipt handle", async () => {
    // Prepare
    const queue = await openQueue();
    await queue.send(messages(3));

    // Act
    const received = await queue.receive(10);

    // Assess
    expect(received.map((m) => m.body)).toEqual(["body-m0", "body-m1", "body-m2"]);
    expect(received.map((m) => m.id)).toEqual(["m0", "m1", "m2"]);
    expect(received.every((m) => m.receiveCount === 1 && m.receiptHandle.length > 0)).toBe(true);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 3 });
  });

  it("deletes by receipt handle and ignores a handle made stale by a redelivery", async () => {
    // Prepare
    const queue = await openQueue();
    await queue.send(messages(2));
    const [first, second] = await queue.receive(2);
    clock += 31_000;
    const [again] = await queue.receive(1);

    // Act
    const staleDelete = await queue.delete(first!.receiptHandle);
    const freshDelete = await queue.delete(again!.receiptHandle);
    const secondDelete = await queue.delete(second!.receiptHandle);

    // Assess
    expect(again!.messageId).toBe(first!.messageId);
    expect(again!.receiveCount).toBe(2);
    expect([staleDelete, freshDelete, secondDelete]).toEqual([false, true, true]);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("hides received messages until the visibility timeout has passed", async () => {
    // Prepare
    const queue = await openQueue({ visibilityTimeoutSeconds: 60 });
    await queue.send(messages(1));
    await queue.receive(1);

    // Act
    clock += 59_000;
    const tooEarly = await queue.receive(1);
    clock += 1_000;
    const redelivered = await queue.receive(1);

    // Assess
    expect(tooEarly).toEqual([]);
    expect(redelivered.map((m) => [m.body, m.receiveCount])).toEqual([["body-m0", 2]]);
  });

  it("changes visibility of in-flight messages and refuses stale handles", async () => {
    // Prepare
    const queue = await openQueue();
    await queue.send(messages(1));
    const [message] = await queue.receive(1);

    // Act
    await queue.changeVisibility(message!.receiptHandle, 0);
    const [again] = await queue.receive(1);
    const stale = queue.changeVisibility(message!.receiptHandle, 10);

    // Assess
    expect(again!.receiveCount).toBe(2);
    await expect(stale).rejects.toBeInstanceOf(InvalidReceiptHandleError);
    await expect(queue.changeVisibility("not-a-handle", 10)).rejects.toThrow(/was not issued by this queue/);
  });

  it("accepts thousands of concurrent sends and loses none", async () => {
    // Prepare
    const queue = await openQueue();
    const ids = messages(5000).map((m) => m.id);

    // Act
    await Promise.all(ids.map((id) => queue.send([{ id, body: id }])));
    const received = await queue.receive(10_000);

    // Assess
    expect(received.map((m) => m.body).sort()).toEqual([...ids].sort());
  });

  it("rejects what SQS would reject and refuses work once closed", async () => {
    // Prepare
    const queue = await openQueue();

    // Act
    const emptyBody = await queue.send([{ id: "e", body: "" }]).catch((e: unknown) => e);
    const tooLarge = await queue.send([{ id: "big", body: "x".repeat(1024 * 1024 + 1) }]).catch((e: unknown) => e);
    const badBatch = await queue.receive(0).catch((e: unknown) => e);
    await queue.close();
    const afterClose = await queue.send(messages(1)).catch((e: unknown) => e);

    // Assess
    expect(emptyBody).toBeInstanceOf(InvalidQueueArgumentError);
    expect(String(tooLarge)).toMatch(/at most 1048576 bytes/);
    expect(String(badBatch)).toMatch(/maxMessages 0 is invalid/);
    expect(afterClose).toBeInstanceOf(QueueClosedError);
  });

  it("wakes a waiting consumer when a message arrives, and not before", async () => {
    // Prepare
    const queue = await openQueue();
    const abort = new AbortController();
    const waitingForTwo = queue.waitForMessages({ minVisible: 2, signal: abort.signal });
    const waitingForOne = queue.waitForMessages();

    // Act
    await queue.send(messages(1));
    const one = await waitingForOne;
    abort.abort();
    const two = await waitingForTwo;

    // Assess
    expect(one).toBe(true);
    expect(two).toBe(false);
  });
});

describe("LocalQueue durability", () => {
  it("keeps every acknowledged operation when reopened without closing (crash)", async () => {
    // Prepare
    const crashed = await openQueue({ visibilityTimeoutSeconds: 120 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => crashed.send(messages(10, `b${i}-`))));
    const inFlight = await crashed.receive(10);
    await Promise.all(inFlight.slice(0, 3).map((m) => crashed.delete(m.receiptHandle)));

    // Act
    const reopened = await openQueue({ visibilityTimeoutSeconds: 120 });
    const depth = reopened.depth();
    const visible = await reopened.receive(10_000);
    await Promise.all(visible.map((m) => reopened.delete(m.receiptHandle)));
    clock += 120_000;
    const redelivered = await reopened.receive(10_000);

    // Assess
    expect(depth).toEqual({ visible: 190, inFlight: 7 });
    expect(visible).toHaveLength(190);
    expect(redelivered.map((m) => m.messageId).sort()).toEqual(inFlight.slice(3).map((m) => m.messageId).sort());
    expect(redelivered.every((m) => m.receiveCount === 2)).toBe(true);
  });

  it("loses no acknowledged message when the writing process is SIGKILLed", async () => {
    // Prepare
    const queueDir = join(dir, "crash");
    // Node itself with tsx's loader (not the tsx CLI, which would relay the kill to a grandchild it cannot reach).
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fixtures/queue-crash-writer.ts", import.meta.url)), queueDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged: string[] = [];
    let partial = "";

    // Act
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      // "close" comes after stdout drained: ids printed just before the kill are still acknowledged ones.
      child.on("close", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited early: ${code ?? signal}`))));
      child.stdout!.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop()!;
        acknowledged.push(...lines);
        if (acknowledged.length >= 3000 && child.exitCode === null) child.kill("SIGKILL");
      });
    });
    const queue = await openQueue({ name: "crash", dir: queueDir });
    const stored = new Set<string>();
    for (let batch = await queue.receive(10_000); batch.length > 0; batch = await queue.receive(10_000)) for (const m of batch) stored.add(m.id);

    // Assess
    expect(acknowledged.length).toBeGreaterThanOrEqual(3000);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it("skips a torn last line but refuses a corrupt line in the middle", async () => {
    // Prepare
    const queue = await openQueue();
    await queue.send(messages(2));
    await queue.close();
    const journal = join(dir, "q", "journal.jsonl");
    await appendFile(journal, '{"t":"s","m":"torn","i":"x","b":"y"');

    // Act
    const afterTornWrite = await openQueue();
    const depth = afterTornWrite.depth();
    await afterTornWrite.close();
    await writeFile(journal, `not json\n${await readFile(journal, "utf8")}`);
    const corrupt = openQueue();

    // Assess
    expect(depth).toEqual({ visible: 2, inFlight: 0 });
    await expect(corrupt).rejects.toBeInstanceOf(QueueJournalCorruptError);
  });

  it("compacts the journal as it grows and keeps the live messages", async () => {
    // Prepare
    const queue = await openQueue({ compactAfterBytes: 64 * 1024 });
    const journal = join(dir, "q", "journal.jsonl");

    // Act
    for (let round = 0; round < 50; round++) {
      await queue.send(messages(20, `r${round}-`));
      const received = await queue.receive(20);
      await Promise.all(received.map((m) => queue.delete(m.receiptHandle)));
    }
    await queue.send(messages(5, "kept-"));
    const size = (await stat(journal)).size;
    await queue.close();
    const reopened = await openQueue();

    // Assess
    expect(size).toBeLessThan(2 * 64 * 1024);
    expect((await reopened.receive(100)).map((m) => m.id)).toEqual(["kept-0", "kept-1", "kept-2", "kept-3", "kept-4"]);
  });
});

describe("LocalQueue redrive and retention", () => {
  it("moves a message received more than maxReceiveCount times to the dead-letter queue", async () => {
    // Prepare
    const dlq = await openQueue({ name: "q-dlq", dir: join(dir, "q-dlq") });
    const queue = await openQueue({ deadLetter: { queue: dlq, maxReceiveCount: 2 } });
    const [messageId] = await queue.send([{ id: "poison", body: "boom" }]);
    const counts: number[] = [];

    // Act
    for (let attempt = 0; attempt < 3; attempt++) {
      counts.push(...(await queue.receive(1)).map((m) => m.receiveCount));
      clock += 31_000;
    }
    const dead = await dlq.receive(10);

    // Assess
    expect(counts).toEqual([1, 2]);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(dead.map((m) => [m.messageId, m.id, m.body])).toEqual([[messageId, "poison", "boom"]]);
    expect(queue.stats().deadLettered).toBe(1);
  });

  it("opens declared queues with their dead-letter queue and redrives it back", async () => {
    // Prepare
    const { queue, deadLetterQueue } = await openDeclaredQueue(dir, { name: "stream-records", visibilityTimeoutSeconds: 1, maxReceiveCount: 1, retentionDays: 14 }, { now: () => clock });
    opened.push(queue, deadLetterQueue);
    await queue.send(messages(3));
    await queue.receive(3);
    clock += 1_000;
    await queue.receive(3);

    // Act
    const deadBefore = deadLetterQueue.depth();
    const port = localRedrivePort(new Map([["stream-records", queue], ["stream-records-dlq", deadLetterQueue]]));
    const { moved } = await replayDeadLetters(port, "stream-records", [{ name: "stream-records" }]);
    const back = await queue.receive(10);

    // Assess
    expect(deadBefore).toEqual({ visible: 3, inFlight: 0 });
    expect(moved).toBe(3);
    expect(back.map((m) => m.id)).toEqual(["m0", "m1", "m2"]);
  });

  it("expires messages older than the retention period instead of delivering them", async () => {
    // Prepare
    const queue = await openQueue({ retentionDays: 1 });
    await queue.send(messages(2));
    clock += 12 * 3_600_000;
    await queue.send([{ id: "young", body: "young" }]);
    clock += 12 * 3_600_000;

    // Act
    const received = await queue.receive(10);

    // Assess
    expect(received.map((m) => m.id)).toEqual(["young"]);
    expect(queue.stats().expired).toBe(2);
  });
});
