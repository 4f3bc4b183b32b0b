/**
 * A GA hit as Tributary keeps it: what the proxy accepted (already validated and stripped of emails/phone
 * numbers), with what we know about its arrival. It is put on two durable queues before the client gets its
 * answer — one feeding bronze (`ga_events`), one feeding the forwarder to Google.
 */
import { z } from "zod";

export const GaEventRefSchema = z.object({
  /** Our id for one event of the hit; the forward status and bronze dedupe key. */
  eventId: z.string(),
  name: z.string(),
});

export const GaHitSchema = z.object({
  v: z.literal(1),
  /** One id per accepted request. */
  hitId: z.string(),
  protocol: z.enum(["ga4", "ua"]),
  /** GA4 measurement id, or the UA property id (`tid`). */
  measurementId: z.string(),
  /** ISO 8601 with microseconds. */
  receivedAt: z.string(),
  /** Truncated client IP (request context, never X-Forwarded-For); sent to Google as `ip_override`. */
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  isBot: z.boolean(),
  /** GA4 `consent` object, or UA/gtag `gcs`/`gcd` parameters, passed through unchanged. */
  consent: z.record(z.string(), z.unknown()).nullable(),
  /**
   * GA4: the sanitized Measurement Protocol body (`client_id`, `user_id`, `events`, …) exactly as it will be
   * forwarded; our event ids are kept beside it in `events` (same order), never added to what Google receives.
   * UA: the sanitized hit parameters (`v`, `tid`, `t`, `cid`, …) as an object of strings.
   */
  payload: z.record(z.string(), z.unknown()),
  /** One entry per event of `payload.events` (GA4, same order), or one for a UA hit. */
  events: z.array(GaEventRefSchema),
  /** For UA hits that map to GA4: the GA4 body to forward (to `ga.uaForwardTo`); null when no mapping exists. */
  mappedGa4: z.record(z.string(), z.unknown()).nullable(),
});

export type GaHit = z.infer<typeof GaHitSchema>;
export type GaEventRef = z.infer<typeof GaEventRefSchema>;
