import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QueueInvocationFailedError } from "../../packages/core/src/local/errors";
import { LocalQueue, localQueueArn, queueConsumersOf, startQueueConsumer, type QueueConsumer, type QueueConsumerOptions } from "@tributary/core/local/queue";

const REGION = "eu-west-1";
let dir: string;
let queue: LocalQueue;
const consumers: QueueConsumer[] = [];

function consume(options: Partial<QueueConsumerOptions> & Pick<QueueConsumerOptions, "invoke">): QueueConsumer {
  const consumer = startQueueConsumer({ queue, batchSize: 10, batchWindowSeconds: 0, queueArn: localQueueArn("jobs", REGION), region: REGION, ...options });
  consumers.push(consumer);
  return consumer;
}

/** A consumer whose one delivery is in flight until `finish()`; `finished()` says whether that delivery has ended. */
async function slowDeliveryInFlight(): Promise<{ consumer: QueueConsumer; finish: () => void; finished: () => boolean }> {
  let finish!: () => void;
  let finished = false;
  const calls = recorder(() => new Promise<void>((resolve) => (finish = resolve)).then(() => void (finished = true)));
  await queue.send([{ id: "1", body: "slow" }]);
  const consumer = consume({ invoke: calls.invoke });
  await calls.calls(1);
  return { consumer, finish: () => finish(), finished: () => finished };
}

/** Collects invocations; `calls(n)` resolves once the n-th has started. */
function recorder(answer: (event: SQSEvent, call: number) => Promise<unknown> = async () => undefined) {
  const events: SQSEvent[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  return {
    events,
    invoke: async (event: SQSEvent) => {
      events.push(event);
      for (const w of waiting.filter((w) => events.length >= w.count)) w.resolve();
      return answer(event, events.length);
    },
    calls: (count: number) => new Promise<void>((resolve) => (events.length >= count ? resolve() : waiting.push({ count, resolve }))),
  };
}

const bodies = (event: SQSEvent | undefined) => (event?.Records ?? []).map((r) => r.body);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-consumer-"));
  queue = await LocalQueue.open({ name: "jobs", dir, visibilityTimeoutSeconds: 0.2 });
});

afterEach(async () => {
  for (const consumer of consumers.splice(0)) await consumer.stop();
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

describe("startQueueConsumer", () => {
  it("delivers a Lambda-shaped SQS event and deletes the batch on success", async () => {
    // Prepare
    const calls = recorder();
    const sentBefore = Date.now();
    const [messageId] = await queue.send([{ id: "a", body: '{"n":1}' }]);

    // Act
    const consumer = consume({ invoke: calls.invoke });
    await calls.calls(1);
    await consumer.stop();

    // Assess
    const record = calls.events[0]!.Records[0]!;
    expect(record).toMatchObject({
      messageId,
      body: '{"n":1}',
      messageAttributes: {},
      md5OfBody: createHash("md5").update('{"n":1}').digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:${REGION}:000000000000:jobs`,
      awsRegion: REGION,
      attributes: { ApproximateReceiveCount: "1", SenderId: "000000000000" },
    });
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThanOrEqual(sentBefore);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    expect(record.receiptHandle.length).toBeGreaterThan(0);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("keeps only the items reported in batchItemFailures and redelivers them", async () => {
    // Prepare
    const calls = recorder(async (event, call): Promise<SQSBatchResponse> => ({
      batchItemFailures: call === 1 ? event.Records.filter((r) => r.body.endsWith("-bad")).map((r) => ({ itemIdentifier: r.messageId })) : [],
    }));
    await queue.send([
      { id: "1", body: "1-ok" },
      { id: "2", body: "2-bad" },
      { id: "3", body: "3-ok" },
      { id: "4", body: "4-bad" },
    ]);

    // Act
    consume({ invoke: calls.invoke });
    await calls.calls(2);

    // Assess
    expect(bodies(calls.events[0])).toEqual(["1-ok", "2-bad", "3-ok", "4-bad"]);
    expect(bodies(calls.events[1])).toEqual(["2-bad", "4-bad"]);
    expect(calls.events[1]!.Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["2", "2"]);
  });

  it("retries the whole batch when the function throws, and reports the failure", async () => {
    // Prepare
    const errors: Error[] = [];
    const calls = recorder(async (_event, call) => {
      if (call === 1) throw new Error("database unavailable");
    });
    await queue.send([
      { id: "1", body: "one" },
      { id: "2", body: "two" },
    ]);

    // Act
    consume({ invoke: calls.invoke, onError: (error) => errors.push(error) });
    await calls.calls(2);

    // Assess
    expect(bodies(calls.events[1])).toEqual(["one", "two"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueueInvocationFailedError);
    expect(errors[0]!.message).toContain("database unavailable");
    expect((errors[0] as QueueInvocationFailedError).messageIds).toHaveLength(2);
  });

  it("treats an itemIdentifier that is not in the batch as a failure of the whole batch", async () => {
    // Prepare
    const errors: Error[] = [];
    const calls = recorder(async (_event, call) => ({ batchItemFailures: call === 1 ? [{ itemIdentifier: "no-such-message" }] : [] }));
    await queue.send([
      { id: "1", body: "one" },
      { id: "2", body: "two" },
    ]);

    // Act
    consume({ invoke: calls.invoke, onError: (error) => errors.push(error) });
    await calls.calls(2);

    // Assess
    expect(bodies(calls.events[1])).toEqual(["one", "two"]);
    expect(errors[0]!.message).toContain("no-such-message");
  });

  it("waits for the batching window to fill a batch", async () => {
    // Prepare
    const calls = recorder();
    consume({ invoke: calls.invoke, batchSize: 5, batchWindowSeconds: 30 });

    // Act
    for (let i = 0; i < 5; i++) await queue.send([{ id: `${i}`, body: `m${i}` }]);
    await calls.calls(1);

    // Assess
    expect(calls.events).toHaveLength(1);
    expect(bodies(calls.events[0])).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("delivers a partial batch once the batching window has passed", async () => {
    // Prepare
    const calls = recorder();
    consume({ invoke: calls.invoke, batchSize: 100, batchWindowSeconds: 0.1 });

    // Act
    await queue.send([
      { id: "1", body: "one" },
      { id: "2", body: "two" },
    ]);
    await calls.calls(1);

    // Assess
    expect(bodies(calls.events[0])).toEqual(["one", "two"]);
  });

  it("runs one invocation at a time by default", async () => {
    // Prepare
    let active = 0;
    let mostActive = 0;
    const calls = recorder(async () => {
      mostActive = Math.max(mostActive, ++active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
    });
    await queue.send(Array.from({ length: 6 }, (_, i) => ({ id: `${i}`, body: `m${i}` })));

    // Act
    consume({ invoke: calls.invoke, batchSize: 1 });
    await calls.calls(6);

    // Assess
    expect(mostActive).toBe(1);
    expect(calls.events.flatMap(bodies).sort()).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
  });

  it("stops only after the invocation in flight has finished and its batch is deleted", async () => {
    // Prepare
    const { consumer, finish, finished } = await slowDeliveryInFlight();

    // Act
    const stopped = consumer.stop().then(finished);
    setTimeout(() => finish(), 20);
    const finishedBeforeStopResolved = await stopped;

    // Assess
    expect(finishedBeforeStopResolved).toBe(true);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(consumer.stats()).toMatchObject({ invocations: 1, deletedMessages: 1 });
  });

  it("stops while waiting out a batching window without taking the messages", async () => {
    // Prepare
    const calls = recorder();
    const consumer = consume({ invoke: calls.invoke, batchSize: 10, batchWindowSeconds: 300 });
    await queue.send([{ id: "1", body: "waiting" }]);

    // Act
    await consumer.stop();

    // Assess
    expect(calls.events).toEqual([]);
    expect(queue.depth()).toEqual({ visible: 1, inFlight: 0 });
  });

  it("ends its polling when the queue is closed under it", async () => {
    // Prepare
    const errors: Error[] = [];
    const consumer = consume({ invoke: async () => undefined, onError: (error) => errors.push(error) });

    // Act
    await queue.close();
    await consumer.stop();

    // Assess
    expect(errors).toEqual([]);
    expect(consumer.stats().invocations).toBe(0);
  });

  it("takes nothing while its mapping is disabled, and delivers what waited once enabled again", async () => {
    // Prepare: disabled while asleep on the queue and while waiting out a batching window.
    const calls = recorder();
    const consumer = consume({ invoke: calls.invoke, batchSize: 10, batchWindowSeconds: 0.2 });
    await queue.send([{ id: "1", body: "before" }]);
    await consumer.setEnabled(false);
    await queue.send([{ id: "2", body: "while disabled" }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const depthWhileDisabled = queue.depth();

    // Act
    await consumer.setEnabled(true);
    await calls.calls(1);

    // Assess
    expect(depthWhileDisabled).toEqual({ visible: 2, inFlight: 0 });
    expect(calls.events.flatMap(bodies)).toEqual(["before", "while disabled"]);
  });

  it("lets the holder of a queue reach the consumers started on it, until they stop", async () => {
    // Prepare
    const consumer = consume({ invoke: async () => undefined });

    // Act
    const running = queueConsumersOf(queue);
    await consumer.stop();

    // Assess
    expect(running).toEqual([consumer]);
    expect(queueConsumersOf(queue)).toEqual([]);
  });

  it("finishes the delivery in flight before disabling resolves", async () => {
    // Prepare
    const { consumer, finish, finished } = await slowDeliveryInFlight();

    // Act
    const disabled = consumer.setEnabled(false).then(finished);
    setTimeout(() => finish(), 20);
    const finishedBeforeDisableResolved = await disabled;

    // Assess
    expect(finishedBeforeDisableResolved).toBe(true);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
