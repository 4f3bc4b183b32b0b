/**
 * Ports that count what the code asks of AWS while delegating to local stand-ins: every lake call becomes the S3
 * requests the S3 adapter would make, queue sends and bus puts their billed SQS requests and EventBridge events
 * (and are kept, so the next stage can consume them), and DynamoDB calls their consumed capacity as the emulator
 * reports it with `ReturnConsumedCapacity: TOTAL`.
 */
import type { Readable } from "node:stream";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ChangeSource } from "../../packages/core/src/cdc";
import type { ByteRange, LakeObject, LakeStore, ListedObject, PutOptions, StagedPrefix } from "../../packages/core/src/lake";
import type { BusEvent, OutgoingMessage, Ports } from "../../packages/core/src/platform";
import type { QueueRef } from "../../packages/core/src/wiring";
import { eventBridgeBilling, s3ListRequests, s3PutRequests, sqsSendBilling } from "./request-billing";
import { zeroCounts, type RequestCounts } from "./work";

export interface CountingPorts {
  ports: Ports;
  /** Counts since the start (or the last `reset`). */
  counts(): RequestCounts;
  reset(): void;
  add(field: keyof RequestCounts, n: number): void;
  /** Messages sent to a queue since it was last taken. */
  takeMessages(queue: QueueRef): OutgoingMessage[];
  /** Events put on the bus since last taken. */
  takeEvents(): BusEvent[];
  /** A change source whose every call counts as one query (a round trip to SQL Server on AWS). */
  countingSource(source: ChangeSource): ChangeSource;
}

const RECORD_INGESTED = "record.ingested";

class CountingLake implements LakeStore {
  readonly kind: LakeStore["kind"];
  readonly location: string;

  constructor(
    private readonly lake: LakeStore,
    private readonly add: CountingPorts["add"],
  ) {
    this.kind = lake.kind;
    this.location = lake.location;
  }

  async put(key: string, body: Uint8Array | string | Readable, options?: PutOptions): Promise<LakeObject> {
    const written = await this.lake.put(key, body, options);
    const requests = s3PutRequests(written.size, typeof body !== "string" && !(body instanceof Uint8Array));
    this.add("s3Put", requests.put);
    this.add("s3Get", requests.get);
    this.add("s3BytesWritten", written.size);
    return written;
  }

  get(key: string): Promise<Uint8Array> {
    this.add("s3Get", 1);
    return this.lake.get(key);
  }

  getStream(key: string, range?: ByteRange): Promise<Readable> {
    this.add("s3Get", 1);
    return this.lake.getStream(key, range);
  }

  head(key: string): Promise<LakeObject | undefined> {
    this.add("s3Get", 1);
    return this.lake.head(key);
  }

  list(prefix: string): AsyncIterable<LakeObject> {
    return this.counted(this.lake.list(prefix));
  }

  listKeys(prefix: string): AsyncIterable<ListedObject> {
    return this.counted(this.lake.listKeys(prefix));
  }

  /** A listing, counted as the LIST requests it takes on S3 (`s3ListRequests`) once it has been read. */
  private async *counted<T>(listing: AsyncIterable<T>): AsyncIterable<T> {
    let n = 0;
    try {
      for await (const object of listing) {
        n += 1;
        yield object;
      }
    } finally {
      this.add("s3Put", s3ListRequests(n));
    }
  }

  /** DELETE requests are free. */
  delete(key: string): Promise<void> {
    return this.lake.delete(key);
  }

  async stage(prefix: string): Promise<StagedPrefix> {
    let n = 0;
    for await (const _ of this.lake.listKeys(prefix)) n += 1;
    this.add("s3Put", s3ListRequests(n));
    this.add("s3Get", n);
    return this.lake.stage(prefix);
  }
}

const READ_COMMAND = /^(Get|BatchGet|Query|Scan|TransactGet)/;

/** Sums `ConsumedCapacity` (one object, or one per table for batch and transaction calls). */
function consumedUnits(out: unknown): number | undefined {
  const consumed = (out as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
  if (consumed === undefined) return undefined;
  return (Array.isArray(consumed) ? consumed : [consumed]).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

function countingDynamo(doc: DynamoDBDocumentClient, add: CountingPorts["add"]): DynamoDBDocumentClient {
  const send = async (command: { input?: Record<string, unknown>; constructor: { name: string } }) => {
    const isRead = READ_COMMAND.test(command.constructor.name);
    if (command.input && command.input.ReturnConsumedCapacity === undefined) command.input.ReturnConsumedCapacity = "TOTAL";
    add("dynamoCalls", 1);
    try {
      const out = await doc.send(command as never);
      // A call the emulator reports no capacity for is priced as one unit (a small item).
      add(isRead ? "dynamoReadUnits" : "dynamoWriteUnits", consumedUnits(out) ?? 1);
      return out;
    } catch (error) {
      // DynamoDB still charges a write unit for a write whose condition failed.
      if (!isRead) add("dynamoWriteUnits", 1);
      throw error;
    }
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

/**
 * @example const counting = countingPorts(cdcPorts(config, dir, dynamo.doc)); … counting.counts().s3Put
 */
export function countingPorts(base: Ports): CountingPorts {
  let counts = zeroCounts();
  const messages = new Map<QueueRef, OutgoingMessage[]>();
  let events: BusEvent[] = [];
  const add: CountingPorts["add"] = (field, n) => void (counts[field] += n);
  const ports: Ports = {
    ...base,
    lake: new CountingLake(base.lake, add),
    queues: {
      async send(queue, sent) {
        const billing = sqsSendBilling(sent);
        add("sqsSendCalls", billing.calls);
        add("sqsSendBilled", billing.billed);
        messages.set(queue, [...(messages.get(queue) ?? []), ...sent]);
        await base.queues.send(queue, sent);
      },
    },
    bus: {
      async put(put) {
        const billing = eventBridgeBilling(put);
        add("eventBridgeCalls", billing.calls);
        add("eventBridgeBilled", billing.billed);
        const announcements = put.filter((e) => e.detailType === RECORD_INGESTED);
        add("linkAnnouncements", announcements.length);
        add("linkDeliveriesBilled", eventBridgeBilling(announcements).billed);
        events.push(...put);
        await base.bus.put(put);
      },
    },
    dynamo: countingDynamo(base.dynamo, add),
  };
  return {
    ports,
    counts: () => ({ ...counts }),
    reset: () => void (counts = zeroCounts()),
    add,
    takeMessages(queue) {
      const taken = messages.get(queue) ?? [];
      messages.delete(queue);
      return taken;
    },
    takeEvents() {
      const taken = events;
      events = [];
      return taken;
    },
    countingSource(source) {
      return new Proxy(source, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== "function" || property === "close") return value;
          return (...args: unknown[]) => {
            add("sourceQueries", 1);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
}
