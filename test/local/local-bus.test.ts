import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidBusArgumentError, InvalidEventPatternError, UnknownBusError } from "../../packages/core/src/local/errors";
import { LocalBus, type LocalBusEvent } from "@tributary/core/local/bus";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-bus-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ingested = { source: "tributary", detailType: "record.ingested", detail: { dataset: "orders", rows: 3 }, bus: "tributary" };

describe("LocalBus", () => {
  it("delivers a full EventBridge envelope to every matching rule on the event's bus", async () => {
    // Prepare
    const bus = new LocalBus({ region: "eu-west-1", now: () => new Date("2026-05-01T10:20:30.456Z") });
    const seen: Record<string, LocalBusEvent[]> = { link: [], quality: [], other: [], defaultBus: [] };
    bus.addRule({ name: "link", bus: "tributary", pattern: { "detail-type": ["record.ingested"] }, target: async (e) => void seen.link!.push(e) });
    bus.addRule({ name: "quality", bus: "tributary", pattern: { detail: { rows: [{ numeric: [">", 0] }] } }, target: async (e) => void seen.quality!.push(e) });
    bus.addRule({ name: "other", bus: "tributary", pattern: { "detail-type": ["file.landed"] }, target: async (e) => void seen.other!.push(e) });
    bus.addRule({ name: "default-bus", bus: "default", pattern: { source: ["tributary"] }, target: async (e) => void seen.defaultBus!.push(e) });

    // Act
    const [put] = await bus.putEvents([ingested]);
    await bus.drain();

    // Assess
    expect(seen.link).toEqual([
      {
        version: "0",
        id: put!.id,
        "detail-type": "record.ingested",
        source: "tributary",
        account: "000000000000",
        time: "2026-05-01T10:20:30Z",
        region: "eu-west-1",
        resources: [],
        detail: { dataset: "orders", rows: 3 },
      },
    ]);
    expect(put!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.quality).toHaveLength(1);
    expect(seen.other).toEqual([]);
    expect(seen.defaultBus).toEqual([]);
    expect(bus.stats()).toMatchObject({ accepted: 1, delivered: 2 });
  });

  it("retries a failing target, then keeps the delivery as a dead letter with the reason", async () => {
    // Prepare
    const bus = new LocalBus({ maxAttempts: 3, retryDelayMs: 1 });
    let flakyCalls = 0;
    let brokenCalls = 0;
    bus.addRule({ name: "flaky", bus: "tributary", pattern: { source: ["tributary"] }, target: async () => {
      if (++flakyCalls < 2) throw new Error("not yet");
    } });
    bus.addRule({ name: "broken", bus: "tributary", pattern: { source: ["tributary"] }, target: async () => {
      brokenCalls++;
      throw new Error("table missing");
    } });

    // Act
    await bus.put([ingested]);
    await bus.drain();

    // Assess
    expect(flakyCalls).toBe(2);
    expect(brokenCalls).toBe(3);
    expect(bus.deadLetters()).toEqual([expect.objectContaining({ rule: "broken", bus: "tributary", attempts: 3, reason: "table missing" })]);
    expect(bus.deadLetters()[0]!.event.detail).toEqual(ingested.detail);
  });

  it("archives accepted events and dead letters as JSON Lines", async () => {
    // Prepare
    const bus = new LocalBus({ archiveDir: dir, maxAttempts: 1 });
    bus.addRule({ name: "broken", bus: "tributary", pattern: { source: ["tributary"] }, target: async () => {
      throw new Error("nope");
    } });

    // Act
    await bus.put([ingested, { ...ingested, detail: { dataset: "kits" } }]);
    await bus.close();
    const archived = (await readFile(join(dir, "tributary.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    const dead = (await readFile(join(dir, "dead-letters.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));

    // Assess
    expect(archived.map((e) => e.detail.dataset)).toEqual(["orders", "kits"]);
    expect(dead.map((d) => [d.rule, d.reason, d.event.detail.dataset])).toEqual([
      ["broken", "nope", "orders"],
      ["broken", "nope", "kits"],
    ]);
  });

  it("accepts AWS-service envelopes through putEnvelope and routes them by pattern", async () => {
    // Prepare
    const bus = new LocalBus();
    const keys: string[] = [];
    bus.addRule({
      name: "landing-object-created",
      bus: "default",
      pattern: { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { object: { key: [{ prefix: "landing/" }] } } },
      target: async (e) => void keys.push(String((e.detail.object as { key: string }).key)),
    });
    const s3Event = (key: string): LocalBusEvent => ({
      version: "0",
      id: key,
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "000000000000",
      time: "2026-05-01T10:20:30Z",
      region: "us-east-1",
      resources: ["arn:aws:s3:::lake"],
      detail: { bucket: { name: "lake" }, object: { key } },
    });

    // Act
    await bus.putEnvelope(s3Event("landing/orders/a.csv"));
    await bus.putEnvelope(s3Event("bronze/orders/a.parquet"));
    await bus.drain();

    // Assess
    expect(keys).toEqual(["landing/orders/a.csv"]);
    expect(bus.stats().unmatched).toBe(1);
  });

  it("refuses bad rules and entries with clear errors", async () => {
    // Prepare
    const bus = new LocalBus();
    bus.addRule({ name: "r", bus: "default", pattern: { source: ["x"] }, target: async () => undefined });

    // Act
    const duplicate = () => bus.addRule({ name: "r", bus: "default", pattern: { source: ["x"] }, target: async () => undefined });
    const badPattern = () => bus.addRule({ name: "p", bus: "default", pattern: { source: [{ cidr: "1.2.3.4/32" }] } as never, target: async () => undefined });
    const unknownBus = () => bus.addRule({ name: "u", bus: "nope", pattern: { source: ["x"] }, target: async () => undefined });
    const reservedSource = await bus.put([{ source: "aws.s3", detailType: "Object Created", detail: {} }]).catch((e: unknown) => e);
    const notAnObject = await bus.put([{ source: "tributary", detailType: "x", detail: [] as never }]).catch((e: unknown) => e);

    // Assess
    expect(duplicate).toThrow(/already has a rule named "r"/);
    expect(badPattern).toThrow(InvalidEventPatternError);
    expect(unknownBus).toThrow(UnknownBusError);
    expect(reservedSource).toBeInstanceOf(InvalidBusArgumentError);
    expect(String(notAnObject)).toMatch(/detail must be a JSON object/);
  });
});
