/**
 * Mapping a (sanitized) Universal Analytics hit to a GA4 Measurement Protocol body, where GA4 has an
 * equivalent: pageview → `page_view`, event → an event named after `ea`, transaction → `purchase`,
 * exception → `exception`. Screenviews (`screen_view` is reserved in the MP), items, social and timing hits have
 * no MP equivalent and stay raw only. Values longer than GA4 accepts are cut to its limits — the full UA hit is
 * kept raw in bronze, so nothing is lost. UA has no session id, so mapped events count as events but not in
 * session-scoped reports; no engagement is invented for them.
 */
import type { Ga4Body, Ga4Event, Ga4Params } from "./ga4-body";
import { GA4_LIMITS } from "./ga4-limits";
import { isIso4217Currency } from "./currencies";
import { normaliseEventName } from "./names";
import { InvalidMeasurementIdError } from "./errors";

const GA4_MEASUREMENT_ID = /^G-[A-Z0-9]+$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

export interface UaMappingOptions {
  /** When the hit reached us; the event time is this minus `qt`. Default: now. */
  receivedAt?: Date;
}

/**
 * The GA4 body for a UA hit (as returned by `parseUaHit`), or null when GA4 has no equivalent or the hit has
 * no `cid` (GA4 requires a client id; a `uid` alone cannot stand in for one). The body is always stamped with
 * the event's time (`timestamp_micros` = arrival − `qt`) so a delayed forward lands at the right time.
 *
 * @example
 * mapUaToGa4({ v: "1", tid: "UA-123456-1", cid: "555.1", t: "event", ec: "Kit", ea: "Activate Kit", el: "KIT-0042-7781" }, "G-TRIBUTARY1", { receivedAt });
 * // { client_id: "555.1", timestamp_micros: …, events: [{ name: "activate_kit", params: { event_category: "Kit", event_action: "Activate Kit", event_label: "KIT-0042-7781" } }] }
 */
export function mapUaToGa4(hit: Record<string, string>, measurementId: string, options: UaMappingOptions = {}): Ga4Body | null {
  // The target must be a GA4 stream: passing the UA `tid` here by mistake would forward to nowhere.
  if (!GA4_MEASUREMENT_ID.test(measurementId)) throw new InvalidMeasurementIdError(measurementId);
  const clientId = hit.cid;
  if (!clientId) return null;
  const event = mapEvent(hit);
  if (!event) return null;
  const receivedMs = (options.receivedAt ?? new Date()).getTime();
  const queueMs = hit.qt !== undefined && /^\d+$/.test(hit.qt) ? Number(hit.qt) : 0;
  const body: Ga4Body = { client_id: clientId, timestamp_micros: (receivedMs - queueMs) * 1000, events: [event] };
  if (hit.uid && hit.uid.length <= GA4_LIMITS.userIdLength) body.user_id = hit.uid;
  return body;
}

function mapEvent(hit: Record<string, string>): Ga4Event | null {
  const pageLocation = hit.dl ?? (hit.dh && hit.dp ? `https://${hit.dh}${hit.dp}` : undefined);
  switch (hit.t) {
    case "pageview":
      return {
        name: "page_view",
        params: params({ page_location: pageLocation, page_title: hit.dt, page_referrer: hit.dr }),
      };
    case "event":
      return {
        name: normaliseEventName(hit.ea ?? ""),
        params: params({
          event_category: hit.ec,
          event_action: hit.ea,
          event_label: hit.el,
          value: numberOrUndefined(hit.ev),
          page_location: pageLocation,
        }),
      };
    case "transaction": {
      const currency = hit.cu?.trim().toUpperCase();
      return {
        name: "purchase",
        params: params({
          transaction_id: hit.ti,
          value: numberOrUndefined(hit.tr),
          // An unknown currency is left out rather than sent wrong; the raw UA hit keeps it.
          currency: currency && isIso4217Currency(currency) ? currency : undefined,
          tax: numberOrUndefined(hit.tt),
          shipping: numberOrUndefined(hit.ts),
          affiliation: hit.ta,
          page_location: pageLocation,
        }),
      };
    }
    case "exception":
      return {
        name: "exception",
        params: params({ description: hit.exd, fatal: hit.exf === undefined ? undefined : hit.exf === "1", page_location: pageLocation }),
      };
    default:
      return null;
  }
}

/** Drops absent values and cuts strings to GA4's length limits. */
function params(values: Record<string, string | number | boolean | undefined>): Ga4Params {
  const out: Ga4Params = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === "") continue;
    out[name] = typeof value === "string" ? fit(value, GA4_LIMITS.longParamValueLengths[name] ?? GA4_LIMITS.paramValueLength) : value;
  }
  return out;
}

function fit(value: string, limit: number): string {
  const chars = [...value];
  return chars.length <= limit ? value : chars.slice(0, limit).join("");
}

function numberOrUndefined(text: string | undefined): number | undefined {
  return text !== undefined && NUMBER.test(text.trim()) ? Number(text.trim()) : undefined;
}
