/**
 * What an accepted stream record looks like on the queue: the record as the client sent it, plus what we
 * know about its arrival. Validated again when it lands, so a config change between the two is caught.
 */
import { z } from "zod";

export const QueuedRecordSchema = z.object({
  v: z.literal(1),
  stream: z.string(),
  /** Assigned at acceptance; the dedupe key when the stream declares no id column. */
  eventId: z.string(),
  /** ISO 8601 with microseconds. */
  receivedAt: z.string(),
  /** Truncated client IP (see `truncateIp`). */
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  record: z.record(z.string(), z.unknown()),
});

export type QueuedRecord = z.infer<typeof QueuedRecordSchema>;
