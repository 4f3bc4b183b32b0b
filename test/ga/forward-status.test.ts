/**
 * The per-event forward status on dynalite: `sent` is final, reads span BatchGet chunks and unprocessed keys.
 */
import { randomUUID } from "node:crypto";
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  forwardStatusOf,
  markAttempt,
  markExpired,
  markSent,
  sentEventIds,
  type ForwardStatusPorts,
} from "../../packages/core/src/ga/forward-status";
import { startLocalDynamo, type LocalDynamo } from "../../packages/core/src/local/dynamo";

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe("forward status", () => {
  let dynamo: LocalDynamo;
  let ports: ForwardStatusPorts;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tables: [{ name: "ga_forward_status", partitionKey: "pk" }] });
    ports = { dynamo: dynamo.doc, tableName: (table) => table };
  });
  afterAll(async () => dynamo?.stop());

  it("finds the sent events among more ids than one BatchGet reads, duplicates included", async () => {
    // Prepare: 250 ids, every other one sent, some pending or expired
    const all = ids(250);
    const sent = all.filter((_, i) => i % 2 === 0);
    await markSent(ports, sent, new Date());
    await markAttempt(ports, all[1]!, "ga: Google answered HTTP 503");
    await markExpired(ports, [all[3]!], new Date());

    // Act
    const found = await sentEventIds(ports, [...all, all[0]!, all[1]!]);

    // Assess
    expect([...found].sort()).toEqual([...sent].sort());
  });

  it("asks again for keys DynamoDB left unprocessed", async () => {
    // Prepare: a client that processes only the first half of each BatchGet, like a throttled table
    const all = ids(10);
    await markSent(ports, all, new Date());
    let calls = 0;
    const throttled = {
      send: async (command: unknown) => {
        if (!(command instanceof BatchGetCommand)) return dynamo.doc.send(command as never);
        calls++;
        const request = command.input.RequestItems!["ga_forward_status"]!;
        const keys = request.Keys!;
        const half = Math.ceil(keys.length / 2);
        const out = await dynamo.doc.send(new BatchGetCommand({ RequestItems: { ga_forward_status: { ...request, Keys: keys.slice(0, half) } } }));
        return keys.length > 1 ? { ...out, UnprocessedKeys: { ga_forward_status: { ...request, Keys: keys.slice(half) } } } : out;
      },
    } as unknown as DynamoDBDocumentClient;

    // Act
    const found = await sentEventIds({ dynamo: throttled, tableName: (table) => table }, all);

    // Assess
    expect(found.size).toBe(10);
    expect(calls).toBeGreaterThan(1);
  });

  it("keeps sent final: a later attempt, expiry or second send changes nothing", async () => {
    // Prepare
    const [id] = ids(1) as [string];
    await markAttempt(ports, id, "ga: Google answered HTTP 503", new Date("2026-03-01T10:00:00Z"));
    await markSent(ports, [id], new Date("2026-03-01T10:01:00Z"));

    // Act
    await markAttempt(ports, id, "ga: late failure");
    await markExpired(ports, [id], new Date("2026-03-04T11:00:00Z"));
    await markSent(ports, [id], new Date("2026-03-01T10:05:00Z"));

    // Assess
    expect(await forwardStatusOf(ports, id)).toEqual({
      status: "sent",
      attempts: 1,
      lastError: "ga: Google answered HTTP 503",
      sentAt: "2026-03-01T10:01:00.000Z",
    });
  });

  it("counts failed attempts and keeps the latest error while pending", async () => {
    // Prepare
    const [id] = ids(1) as [string];

    // Act
    await markAttempt(ports, id, "ga: Google answered HTTP 503");
    await markAttempt(ports, id, "ga: sending failed: no answer within 10000 ms");

    // Assess
    expect(await forwardStatusOf(ports, id)).toMatchObject({ status: "pending", attempts: 2, lastError: "ga: sending failed: no answer within 10000 ms" });
  });

  it("expires pending events, and then no attempt revives them", async () => {
    // Prepare
    const [pending, untouched] = ids(2) as [string, string];
    await markAttempt(ports, pending, "ga: Google answered HTTP 500");

    // Act
    await markExpired(ports, [pending, untouched], new Date());
    await markAttempt(ports, pending, "ga: too late");

    // Assess
    expect(await forwardStatusOf(ports, pending)).toMatchObject({ status: "expired", attempts: 1 });
    expect(await forwardStatusOf(ports, untouched)).toMatchObject({ status: "expired", attempts: 0 });
    expect(await sentEventIds(ports, [pending, untouched])).toEqual(new Set());
  });
});
