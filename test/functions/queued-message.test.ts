/**
 * The correlation id on queued envelopes (packages/core/src/ingest/queued-message.ts): stamped by what a request
 * queues, read back by the consumers, ignored by the envelope schemas (so bronze rows do not change).
 */
import { describe, expect, it } from "vitest";
import { correlatedPorts, correlationIdOf, parseQueuedMessage, UncorrelatableMessageError, withCorrelationId } from "@tributary/core/ingest";
import type { OutgoingMessage, Ports } from "@tributary/core/platform";
import { QueuedRecordSchema } from "@tributary/core/streams";

const envelope = { v: 1, stream: "user_events", eventId: "e-1", receivedAt: "2026-11-20T10:15:00.000000Z", sourceIp: null, userAgent: null, record: { request_id: "r-1" } };

describe("withCorrelationId / correlationIdOf", () => {
  it("adds the id to the envelope, and reads it back", () => {
    // Act
    const body = withCorrelationId(JSON.stringify(envelope), "test-corr-123");

    // Assess
    expect(JSON.parse(body)).toEqual({ ...envelope, correlationId: "test-corr-123" });
    expect(correlationIdOf(body)).toBe("test-corr-123");
  });

  it("replaces an id already there", () => {
    expect(correlationIdOf(withCorrelationId(JSON.stringify({ ...envelope, correlationId: "old" }), "new"))).toBe("new");
  });

  it("leaves what the envelope schema reads unchanged", () => {
    // Act
    const parsed = parseQueuedMessage(withCorrelationId(JSON.stringify(envelope), "test-corr-123"), QueuedRecordSchema, "a stream record envelope");

    // Assess
    expect(parsed).toEqual({ ok: true, value: envelope });
  });

  it("refuses a body that is not a JSON object, without quoting it", () => {
    // Act
    const attempts = ["not json sam@example.com", "[1,2]", "null", '"text"'].map((body) => {
      try {
        return withCorrelationId(body, "c-1");
      } catch (error) {
        return error;
      }
    });

    // Assess
    for (const error of attempts) expect(error).toBeInstanceOf(UncorrelatableMessageError);
    expect((attempts[0] as Error).message).toBe("ingest: cannot add a correlation id to a queue message of 24 characters: it is not JSON");
    expect((attempts[1] as Error).message).toContain("it is not a JSON object");
  });

  it("reads null from a body without an id, or that is not an envelope", () => {
    expect([JSON.stringify(envelope), "not json", "null", '{"correlationId":42}', '{"correlationId":""}'].map(correlationIdOf)).toEqual([null, null, null, null, null]);
  });
});

describe("correlatedPorts", () => {
  it("stamps every message a request queues, on every queue, and leaves the other ports as they were", async () => {
    // Prepare
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    const ports = { queues: { send: async (queue: string, messages: OutgoingMessage[]) => void sent.push({ queue, messages }) }, settings: { gaEndpoint: "x" } } as unknown as Ports;

    // Act
    const correlated = correlatedPorts(ports, "req-7");
    await correlated.queues.send("ga-hits", [{ id: "h-1", body: '{"hitId":"h-1"}' }]);
    await correlated.queues.send("ga-forward", [{ id: "h-1", body: '{"hitId":"h-1"}' }, { id: "h-2", body: '{"hitId":"h-2"}' }]);

    // Assess
    expect(sent).toEqual([
      { queue: "ga-hits", messages: [{ id: "h-1", body: '{"hitId":"h-1","correlationId":"req-7"}' }] },
      { queue: "ga-forward", messages: [{ id: "h-1", body: '{"hitId":"h-1","correlationId":"req-7"}' }, { id: "h-2", body: '{"hitId":"h-2","correlationId":"req-7"}' }] },
    ]);
    expect(correlated.settings).toBe(ports.settings);
    expect(ports.queues).not.toBe(correlated.queues);
  });
});
