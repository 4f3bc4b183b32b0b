/**
 * From a kept GA hit to raw records of the bronze `ga_events` dataset (columns in `config/ga-dataset.ts`):
 * one record per GA4 event, one per UA hit, keyed by our event id. The hit was sanitized on arrival, so the
 * records carry no emails or phone numbers. Records are raw (the dataset's row validator coerces them);
 * objects become JSON text here so the stored text is the same whoever validates it.
 */
import { formatTimestamp, parseTimestampMicros } from "../config";
import type { GaHit } from "./hit";
import type { Ga4Body, Ga4Event } from "./ga4-body";
import { GaHitShapeError } from "./errors";

export interface GaEventRecord {
  eventId: string;
  record: Record<string, unknown>;
}

/**
 * The `ga_events` records of one hit.
 *
 * @example
 * gaEventRecords(hit).map((r) => r.record.event_name); // ["page_view", "add_to_cart"]
 */
export function gaEventRecords(hit: GaHit): GaEventRecord[] {
  const receivedMicros = parseTimestampMicros(hit.receivedAt);
  if (receivedMicros === undefined) throw new GaHitShapeError(hit.hitId, `receivedAt ${JSON.stringify(hit.receivedAt)} is not an ISO 8601 timestamp`);
  return hit.protocol === "ga4" ? ga4Records(hit, receivedMicros) : [uaRecord(hit, receivedMicros)];
}

function ga4Records(hit: GaHit, receivedMicros: bigint): GaEventRecord[] {
  const body = hit.payload as Ga4Body;
  if (!Array.isArray(body.events)) throw new GaHitShapeError(hit.hitId, "GA4 payload has no events array");
  if (body.events.length !== hit.events.length) {
    throw new GaHitShapeError(hit.hitId, `payload has ${body.events.length} events but ${hit.events.length} event ids`);
  }
  const bodyMicros = micros(body.timestamp_micros);
  return body.events.map((event: Ga4Event, i) => {
    const eventId = hit.events[i]!.eventId;
    const params = event.params ?? {};
    const record = {
      event_id: eventId,
      protocol: "ga4",
      measurement_id: hit.measurementId,
      client_id: body.client_id ?? body.app_instance_id ?? null,
      user_id: body.user_id ?? null,
      session_id: text(params.session_id),
      event_name: event.name,
      event_time: formatTimestamp(micros(event.timestamp_micros) ?? bodyMicros ?? receivedMicros),
      event_params: event.params === undefined ? null : JSON.stringify(event.params),
      user_properties: body.user_properties === undefined ? null : JSON.stringify(body.user_properties),
      page_location: text(params.page_location),
      consent: hit.consent === null ? null : JSON.stringify(hit.consent),
      is_bot: hit.isBot,
      transaction_id: text(params.transaction_id),
      kit_barcode: text(params.kit_barcode),
    };
    return { eventId, record };
  });
}

function uaRecord(hit: GaHit, receivedMicros: bigint): GaEventRecord {
  const params = hit.payload as Record<string, string | undefined>;
  const ref = hit.events[0];
  if (!ref || hit.events.length !== 1) throw new GaHitShapeError(hit.hitId, `a UA hit has exactly 1 event id, got ${hit.events.length}`);
  const queueMicros = params.qt !== undefined && /^\d+$/.test(params.qt) ? BigInt(params.qt) * 1000n : 0n;
  const record = {
    event_id: ref.eventId,
    protocol: "ua",
    measurement_id: hit.measurementId,
    client_id: params.cid ?? null,
    user_id: params.uid ?? null,
    session_id: null, // UA has no session id
    event_name: params.t ?? ref.name,
    event_time: formatTimestamp(receivedMicros - queueMicros),
    event_params: JSON.stringify(hit.payload),
    user_properties: null,
    page_location: params.dl ?? (params.dh && params.dp ? `https://${params.dh}${params.dp}` : null),
    consent: hit.consent === null ? null : JSON.stringify(hit.consent),
    is_bot: hit.isBot,
    transaction_id: params.ti ?? null,
    kit_barcode: null, // UA hits carry it only in custom dimensions, whose meaning the config does not declare
  };
  return { eventId: ref.eventId, record };
}

function micros(value: unknown): bigint | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : null;
}
