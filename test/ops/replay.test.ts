/**
 * Replaying a dead-letter queue: on the local platform (a poisoned consumer dead-letters stream records, the fix
 * goes in, the replay lands each of them exactly once), and on the queues alone for what a failed move leaves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { LocalQueue } from "@tributary/core/local";
import { openDeclaredQueue } from "@tributary/core/local/queue";
import { InvalidReplayOptionError, localRedrivePort, replayDeadLetters, UnknownQueueError, type ReplayProgress } from "@tributary/core/ops";
import type { QueueName } from "@tributary/core/wiring";
import shipped from "../../tributary.config";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const event = (id: string, minute: number) => ({
  request_id: id,
  request_timestamp: `2026-04-02T09:${String(minute).padStart(2, "0")}:00Z`,
  cookie_id: `cookie-${id}`,
  topic: "page_view",
  user_account_id: "7001",
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("replaying a dead-letter queue on the local platform", () => {
  const realNow = Date.now;
  let offsetMs = 0;
  let platform: TestPlatform;
  let queue: LocalQueue;
  let dlq: LocalQueue;

  beforeAll(async () => {
    // The queues read this clock, so the test can let visibility timeouts pass without waiting for them.
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + offsetMs);
    // Batches of 10 with no window: each redelivery reaches the consumer at once.
    platform = await startTestPlatform({ config: { ...shipped, settings: { bronze: { queueBatchSize: 10, queueBatchWindowSeconds: 0 } } } });
    queue = platform.queues.get("stream-records")!;
    dlq = platform.queues.get("stream-records-dlq")!;
  });
  afterAll(async () => {
    await platform?.dispose();
    vi.restoreAllMocks();
  });

  /** Lets the consumer fail until every record it failed on is in the DLQ (maxReceiveCount receives each). */
  async function failUntilDeadLettered(count: number): Promise<void> {
    const visibilityMs = platform.wiring.queues.find((q) => q.name === "stream-records")!.visibilityTimeoutSeconds * 1000;
    const deadline = realNow() + 30_000;
    while (dlq.depth().visible < count && realNow() < deadline) {
      offsetMs += visibilityMs + 1000;
      // Sending nothing wakes the consumer, which sleeps on a real timer set for the (skipped) visibility timeout.
      await queue.send([]);
      await sleep(40);
    }
  }

  async function drained(): Promise<void> {
    const deadline = realNow() + 20_000;
    while (queue.depth().visible + queue.depth().inFlight > 0 && realNow() < deadline) await sleep(50);
  }

  it("lands every dead-lettered record exactly once after the fix, and a second replay moves nothing", async () => {
    // Prepare: the bronze write of user_events fails, so stream-bronze fails every batch it is given.
    const lake = platform.ports.lake;
    const put = lake.put.bind(lake);
    const poisoned: MockInstance<typeof lake.put> = vi.spyOn(lake, "put").mockImplementation(async (key, body, options) => {
      if (key.startsWith("bronze/streams/user_events/")) throw new Error(`poisoned write of ${key}`);
      return put(key, body, options);
    });
    const records = Array.from({ length: 12 }, (_, i) => event(`r-${i}`, i));
    const accepted = await platform.post("/v1/streams/user_events/records", { records });
    await failUntilDeadLettered(records.length);
    const before = { dlq: dlq.depth(), queue: queue.depth(), bronze: await platform.query("SELECT count(*) AS n FROM bronze.user_events") };
    poisoned.mockRestore();
    const progress: ReplayProgress[] = [];

    // Act
    const outcome = await replayDeadLetters(localRedrivePort(platform.queues), "stream-records", platform.wiring.queues, { batchSize: 5, onProgress: (p) => progress.push(p) });
    await platform.waitForCount("SELECT count(*) FROM bronze.user_events", records.length);
    await drained();
    const again = await replayDeadLetters(localRedrivePort(platform.queues), "stream-records", platform.wiring.queues);
    await drained();

    // Assess
    expect(accepted.body).toMatchObject({ accepted: 12, rejected: 0 });
    expect(before).toEqual({ dlq: { visible: 12, inFlight: 0 }, queue: { visible: 0, inFlight: 0 }, bronze: [{ n: "0" }] });
    expect(outcome).toEqual({ queue: "stream-records", deadLetterQueue: "stream-records-dlq", found: 12, moved: 12, failed: 0, problems: [] });
    expect(progress.map((p) => p.moved)).toEqual([0, 5, 10, 12]);
    expect(again).toMatchObject({ found: 0, moved: 0, failed: 0, problems: [] });
    const [landed] = await platform.query("SELECT count(*) AS n, count(DISTINCT request_id) AS ids FROM bronze.user_events");
    expect(landed).toEqual({ n: "12", ids: "12" });
    expect(dlq.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("refuses a queue the wiring does not declare, naming the ones it does", async () => {
    // Act
    const replay = replayDeadLetters(localRedrivePort(platform.queues), "stream-record", platform.wiring.queues);

    // Assess
    await expect(replay).rejects.toThrow(UnknownQueueError);
    await expect(replay).rejects.toThrow(/no queue named "stream-record" \(declared: stream-records, file-notifications, ga-hits, ga-forward, link-requests;/);
  });
});

describe("replaying when the move fails part-way", () => {
  const declared: { name: QueueName }[] = [{ name: "stream-records" }];
  let dir: string;
  let clock: number;
  let queues: Map<string, LocalQueue>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tributary-replay-"));
    clock = Date.parse("2026-04-02T00:00:00Z");
    const { queue, deadLetterQueue } = await openDeclaredQueue(dir, { name: "stream-records", visibilityTimeoutSeconds: 1, maxReceiveCount: 1, retentionDays: 14 }, { now: () => clock });
    queues = new Map([
      [queue.name, queue],
      [deadLetterQueue.name, deadLetterQueue],
    ]);
    // Received once and not deleted: the next receive moves them to the DLQ (maxReceiveCount 1).
    await queue.send(["a", "b", "c"].map((id) => ({ id, body: `body-${id}` })));
    await queue.receive(3);
    clock += 2_000;
    await queue.receive(3);
  });
  afterEach(async () => {
    for (const q of queues.values()) await q.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps every message in the DLQ when sending fails, and moves them on the next run", async () => {
    // Prepare
    const port = localRedrivePort(queues);
    const failing = { ...port, send: async () => Promise.reject(new Error("source queue unavailable")) };

    // Act
    const failed = await replayDeadLetters(failing, "stream-records", declared);
    const afterFailure = { dlq: queues.get("stream-records-dlq")!.depth(), queue: queues.get("stream-records")!.depth() };
    const retried = await replayDeadLetters(port, "stream-records-dlq", declared);
    const back = await queues.get("stream-records")!.receive(10);

    // Assess
    expect(failed).toMatchObject({ found: 3, moved: 0, failed: 3 });
    expect(failed.problems).toEqual(["sending 3 message(s) to stream-records failed: source queue unavailable; they stay in stream-records-dlq"]);
    expect(afterFailure).toEqual({ dlq: { visible: 3, inFlight: 0 }, queue: { visible: 0, inFlight: 0 } });
    expect(retried).toMatchObject({ found: 3, moved: 3, failed: 0, problems: [] });
    expect(back.map((m) => [m.id, m.body])).toEqual([["a", "body-a"], ["b", "body-b"], ["c", "body-c"]]);
    expect(queues.get("stream-records-dlq")!.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("counts a message the source queue refuses as failed and leaves it in the DLQ", async () => {
    // Prepare
    const port = localRedrivePort(queues);
    const refusing = {
      ...port,
      send: async (queue: Parameters<typeof port.send>[0], messages: Parameters<typeof port.send>[1]) => {
        const refused = messages.filter((m) => m.id === "b");
        await port.send(queue, messages.filter((m) => m.id !== "b"));
        return refused.map((message) => ({ message, reason: "body too large" }));
      },
    };

    // Act
    const outcome = await replayDeadLetters(refusing, "stream-records", declared);
    const back = await queues.get("stream-records")!.receive(10);

    // Assess
    expect(outcome).toMatchObject({ found: 3, moved: 2, failed: 1 });
    expect(outcome.problems).toEqual([expect.stringMatching(/^message \S+ \(id b\) refused by stream-records: body too large; it stays in stream-records-dlq$/)]);
    expect(back.map((m) => m.id)).toEqual(["a", "c"]);
    expect(queues.get("stream-records-dlq")!.depth()).toEqual({ visible: 0, inFlight: 1 });
  });

  it("refuses a batch size the port cannot take", async () => {
    // Act
    const replay = replayDeadLetters(localRedrivePort(queues), "stream-records", declared, { batchSize: 0 });

    // Assess
    await expect(replay).rejects.toThrow(InvalidReplayOptionError);
  });
});
