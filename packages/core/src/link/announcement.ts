/**
 * The `record.ingested` announcement as the link step reads it (validated at the edge: a malformed event is an
 * error, never skipped). Published by `IngestBatch.close` in the ingest domain.
 */
import { z } from "zod";
import { InvalidAnnouncementError } from "./errors";

export const RecordIngestedSchema = z.object({
  dataset: z.string().min(1),
  source: z.string().min(1),
  batchId: z.string().min(1),
  files: z.array(z.string().min(1)),
  landed: z.number().int().min(0),
  quarantined: z.number().int().min(0),
  linkKeysComplete: z.boolean(),
  part: z.number().int().min(0).default(0),
  records: z.array(z.object({ recordId: z.string().min(1), keys: z.record(z.string(), z.string()) })).default([]),
});
export type RecordIngested = z.output<typeof RecordIngestedSchema>;

/** EventBridge's envelope around it (what arrives in an SQS body from the bus rule). */
export const RecordIngestedEventSchema = z.object({ "detail-type": z.literal("record.ingested"), detail: RecordIngestedSchema });

/**
 * @example parseRecordIngested(JSON.parse(sqsRecord.body)).dataset // "orders"
 */
export function parseRecordIngested(event: unknown): RecordIngested {
  const parsed = RecordIngestedEventSchema.safeParse(event);
  if (!parsed.success) throw new InvalidAnnouncementError(parsed.error.issues.map((i) => `${i.path.join(".") || "(event)"}: ${i.message}`).join("; "));
  return parsed.data.detail;
}
