/**
 * Landing accepted GA hits in bronze `ga_events`, one row per event, keyed by our event id (so a redelivered
 * hit rewrites, and silver dedupes, the same rows). Each queue message is handled on its own.
 */
import { compileRowValidator, datasetNamed, describeProblems, parseTimestampMicros, type Dataset, type RowResult } from "../config";
import { IngestBatch, type BatchOutcome } from "../ingest";
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
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return this.batch.quarantine(this.dataset, { recordId: messageId, reason: "queue message is not JSON", origin: `sqs:${messageId}`, raw: body });
    }
    const hit = GaHitSchema.safeParse(json);
    if (!hit.success) {
      const reason = `queue message is not a GA hit: ${hit.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
      return this.batch.quarantine(this.dataset, { recordId: messageId, reason, origin: `sqs:${messageId}`, raw: body });
    }
    const lineage = { _received_at: parseTimestampMicros(hit.data.receivedAt) ?? null, _source_ip: hit.data.sourceIp, _user_agent: hit.data.userAgent };
    for (const { eventId, record } of gaEventRecords(hit.data)) {
      const checked = this.validate(record);
      if (checked.ok) await this.batch.land(this.dataset, checked.row, { _record_id: eventId, ...lineage });
      else await this.batch.quarantine(this.dataset, { recordId: eventId, reason: describeProblems(checked.problems), origin: `hit:${hit.data.hitId}`, raw: JSON.stringify(record) });
    }
  }

  close(): Promise<BatchOutcome> {
    return this.batch.close();
  }
}
