/**
 * Landing accepted GA hits in bronze `ga_events`, one row per event, keyed by our event id (so a redelivered
 * hit rewrites, and silver dedupes, the same rows). Each queue message is handled on its own.
 */
import { compileRowValidator, datasetNamed, describeProblems, parseTimestampMicros, type Dataset, type RowResult } from "../config";
import { IngestBatch, parseQueuedMessage, type BatchOutcome } from "../ingest";
import type { Ports } from "../platform";
import { GaHitSchema } from "./hit";
import { gaEventRecords } from "./logic";

/**
 * @example
 * const landing = new GaLanding(ports, batchId);
 * for (const m of messages) await landing.add(m.messageId, m.body);
 * await landing.close();
 */
export class GaLanding {
  private readonly batch: IngestBatch;
  private readonly dataset: Dataset;
  private readonly validate: (raw: unknown) => RowResult;

  constructor(ports: Ports, batchId: string) {
    this.batch = new IngestBatch(ports, batchId);
    this.dataset = datasetNamed(ports.config, "ga_events");
    this.validate = compileRowValidator(this.dataset);
  }

  async add(messageId: string, body: string): Promise<void> {
    const parsed = parseQueuedMessage(body, GaHitSchema, "a GA hit");
    if (!parsed.ok) return this.batch.quarantine(this.dataset, { recordId: messageId, reason: parsed.reason, origin: `sqs:${messageId}`, raw: body });
    const hit = parsed.value;
    const lineage = { _received_at: parseTimestampMicros(hit.receivedAt) ?? null, _source_ip: hit.sourceIp, _user_agent: hit.userAgent };
    for (const { eventId, record } of gaEventRecords(hit)) {
      const checked = this.validate(record);
      if (checked.ok) await this.batch.land(this.dataset, checked.row, { _record_id: eventId, ...lineage });
      else await this.batch.quarantine(this.dataset, { recordId: eventId, reason: describeProblems(checked.problems), origin: `hit:${hit.hitId}`, raw: JSON.stringify(record) });
    }
  }

  close(): Promise<BatchOutcome> {
    return this.batch.close();
  }
}
