/**
 * Landing queued stream records in bronze. Each queue message is handled on its own (so one poison message
 * never fails its neighbours); the batch writes its Parquet files once, at the end.
 */
import { createHash } from "node:crypto";
import { compileRowValidator, datasets, describeProblems, parseTimestampMicros, UNROUTED_RECORDS, type Dataset, type RowResult } from "../config";
import { IngestBatch, parseQueuedMessage, type BatchOutcome } from "../ingest";
import type { Ports } from "../platform";
import { QueuedRecordSchema } from "./envelope";

/** A batch id derived from its message ids, so a retried batch rewrites the same files instead of adding copies. */
export function batchIdOf(messageIds: string[]): string {
  return createHash("sha256").update([...messageIds].sort().join("\n")).digest("hex").slice(0, 20);
}


/**
 * @example
 * const batch = new StreamLanding(ports, batchIdOf(ids));
 * for (const m of messages) await batch.add(m.messageId, m.body);
 * await batch.close(); // { landed, quarantined, … }
 */
export class StreamLanding {
  private readonly batch: IngestBatch;
  private readonly streams: Map<string, { dataset: Dataset; validate: (raw: unknown) => RowResult }>;

  constructor(ports: Ports, batchId: string) {
    this.batch = new IngestBatch(ports, batchId);
    this.streams = new Map(
      datasets(ports.config)
        .filter((d) => d.kind === "stream")
        .map((d) => [d.name, { dataset: d, validate: compileRowValidator(d) }]),
    );
  }

  /** Lands one queue message, or quarantines it with the reason it cannot land. */
  async add(messageId: string, body: string): Promise<void> {
    const envelope = parseQueuedMessage(body, QueuedRecordSchema, "a stream record envelope");
    if (!envelope.ok) return this.batch.quarantine(UNROUTED_RECORDS, { recordId: messageId, reason: envelope.reason, origin: `sqs:${messageId}`, raw: body });
    const { stream, eventId, record, receivedAt, sourceIp, userAgent } = envelope.value;
    const target = this.streams.get(stream);
    if (!target) {
      return this.batch.quarantine(UNROUTED_RECORDS, { recordId: eventId, reason: `stream "${stream}" is no longer declared`, origin: `sqs:${messageId}`, raw: body });
    }
    const checked = target.validate(record);
    if (!checked.ok) {
      return this.batch.quarantine(target.dataset, { recordId: eventId, reason: describeProblems(checked.problems), origin: `sqs:${messageId}`, raw: JSON.stringify(record) });
    }
    // Clients retry with the same id: when the stream declares an id column, that id is the record's identity.
    const idColumn = target.dataset.primaryKey[0];
    const declaredId = idColumn && idColumn !== "_record_id" ? checked.row[idColumn] : null;
    await this.batch.land(target.dataset, checked.row, {
      _record_id: declaredId === null || declaredId === undefined ? eventId : `${stream}:${String(declaredId)}`,
      _received_at: parseTimestampMicros(receivedAt) ?? null,
      _source_ip: sourceIp,
      _user_agent: userAgent,
    });
  }

  close(): Promise<BatchOutcome> {
    return this.batch.close();
  }
}
