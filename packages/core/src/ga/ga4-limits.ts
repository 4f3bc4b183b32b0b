/**
 * The GA4 Measurement Protocol limits, enforced by us because Google answers 2xx even to payloads it then
 * silently drops. Sources: MP reference and "Limitations" (sending-events), GA4 "Event collection limits"
 * (support 9267744) and Google's validator (googleanalytics/ga-dev-tools). Every problem is reported at once,
 * by path (`events[2].params.value`), so the hit can be quarantined with the full reason.
 *
 * Kept simple on purpose: items are checked like parameters (names, value lengths, currency) and capped at
 * 200 per event; the "10 custom item parameters" rule is not enforced (Google drops the extras, it does not
 * refuse the event). The body size (< 130 kB) is checked by the caller on the raw bytes.
 */
import type { Ga4Body } from "./ga4-body";
import { isIso4217Currency } from "./currencies";
import { eventNameProblem, parameterNameProblem, userPropertyNameProblem } from "./names";
import { showValue, type GaProblem } from "./problems";

/** Google refuses bodies of 130 kB or more; checked by the HTTP layer on the bytes received. */
export const GA4_MAX_BODY_BYTES = 130_000;

export const GA4_LIMITS = {
  eventsPerRequest: 25,
  paramsPerEvent: 25,
  itemsPerEvent: 200,
  userProperties: 25,
  paramValueLength: 100,
  /** Google's documented exceptions to the 100-character value limit (GA4 collection limits). */
  longParamValueLengths: { page_location: 1000, page_referrer: 420, page_title: 300 } as Readonly<Record<string, number>>,
  userPropertyValueLength: 36,
  userIdLength: 256,
  /** Events may be backdated at most 72 hours. */
  backdateMs: 72 * 60 * 60 * 1000,
  /** A timestamp this far ahead of our clock is still accepted (client clocks drift). */
  clockSkewMs: 5 * 60 * 1000,
} as const;

export type Ga4Validation = { ok: true; body: Ga4Body } | { ok: false; problems: GaProblem[] };

const BODY_FIELDS = new Set([
  "client_id", "app_instance_id", "user_id", "timestamp_micros", "user_properties", "consent", "non_personalized_ads",
  "user_data", "user_location", "device", "ip_override", "validation_behavior", "events",
]);
const EVENT_FIELDS = new Set(["name", "params", "timestamp_micros"]);
const USER_PROPERTY_FIELDS = new Set(["value", "timestamp_micros"]);
const CONSENT_FIELDS = new Set(["ad_user_data", "ad_personalization"]);
const OBJECT_FIELDS = ["user_data", "user_location", "device"] as const;

type Add = (path: string, reason: string) => void;

/**
 * Checks a parsed GA4 Measurement Protocol body against Google's documented limits.
 *
 * @example
 * validateGa4Body({ client_id: "123.456", events: [{ name: "error" }] }, { now: new Date() });
 * // { ok: false, problems: [{ path: "events[0].name", reason: '"error" is a reserved event name' }] }
 */
export function validateGa4Body(body: unknown, opts: { now: Date }): Ga4Validation {
  if (!isPlainObject(body)) return { ok: false, problems: [{ path: "(body)", reason: `expected a JSON object, got ${kindOf(body)}` }] };
  const problems: GaProblem[] = [];
  const add: Add = (path, reason) => problems.push({ path, reason });

  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.has(key)) add(key, `unknown field; a Measurement Protocol body holds ${[...BODY_FIELDS].join(", ")}`);
  }
  checkIdentity(body, add);
  if (body.user_id !== undefined) {
    if (typeof body.user_id !== "string" || body.user_id === "") add("user_id", `expected a non-empty string, got ${showValue(body.user_id)}`);
    else if (body.user_id.length > GA4_LIMITS.userIdLength) add("user_id", `must be at most ${GA4_LIMITS.userIdLength} characters, got ${body.user_id.length}`);
  }
  checkTimestamp(body.timestamp_micros, "timestamp_micros", opts.now, add);
  if (body.non_personalized_ads !== undefined && typeof body.non_personalized_ads !== "boolean") {
    add("non_personalized_ads", `expected true or false, got ${showValue(body.non_personalized_ads)}`);
  }
  if (body.ip_override !== undefined && typeof body.ip_override !== "string") add("ip_override", `expected a string, got ${showValue(body.ip_override)}`);
  if (body.validation_behavior !== undefined && body.validation_behavior !== "RELAXED" && body.validation_behavior !== "ENFORCE_RECOMMENDATIONS") {
    add("validation_behavior", `expected "RELAXED" or "ENFORCE_RECOMMENDATIONS", got ${showValue(body.validation_behavior)}`);
  }
  for (const field of OBJECT_FIELDS) {
    if (body[field] !== undefined && !isPlainObject(body[field])) add(field, `expected an object, got ${kindOf(body[field])}`);
  }
  checkConsent(body.consent, add);
  checkUserProperties(body.user_properties, opts.now, add);
  checkEvents(body.events, opts.now, add);
  return problems.length === 0 ? { ok: true, body: body as Ga4Body } : { ok: false, problems };
}

function checkIdentity(body: Record<string, unknown>, add: Add): void {
  const { client_id: clientId, app_instance_id: appInstanceId } = body;
  if (clientId === undefined && appInstanceId === undefined) {
    add("client_id", "required (web streams; app streams send app_instance_id instead)");
    return;
  }
  if (clientId !== undefined && appInstanceId !== undefined) {
    add("app_instance_id", "send client_id (web stream) or app_instance_id (app stream), not both");
  }
  for (const [path, value] of [["client_id", clientId], ["app_instance_id", appInstanceId]] as const) {
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) add(path, `expected a non-empty string, got ${showValue(value)}`);
  }
}

function checkTimestamp(value: unknown, path: string, now: Date, add: Add): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    add(path, `expected whole microseconds since the epoch, got ${showValue(value)}`);
    return;
  }
  const ms = Math.floor(value / 1000);
  const shown = new Date(ms).toISOString();
  if (ms < now.getTime() - GA4_LIMITS.backdateMs) {
    const hint = value < 1e14 ? " (is it in milliseconds? GA4 wants microseconds)" : "";
    add(path, `${shown} is more than 72 hours before now (${now.toISOString()})${hint}`);
  } else if (ms > now.getTime() + GA4_LIMITS.clockSkewMs) {
    add(path, `${shown} is in the future (now ${now.toISOString()})`);
  }
}

function checkConsent(consent: unknown, add: Add): void {
  if (consent === undefined) return;
  if (!isPlainObject(consent)) return add("consent", `expected an object, got ${kindOf(consent)}`);
  for (const [key, value] of Object.entries(consent)) {
    if (!CONSENT_FIELDS.has(key)) add(`consent.${key}`, `unknown field; consent holds ${[...CONSENT_FIELDS].join(", ")}`);
    else if (value !== "GRANTED" && value !== "DENIED") add(`consent.${key}`, `expected "GRANTED" or "DENIED", got ${showValue(value)}`);
  }
}

function checkUserProperties(properties: unknown, now: Date, add: Add): void {
  if (properties === undefined) return;
  if (!isPlainObject(properties)) return add("user_properties", `expected an object, got ${kindOf(properties)}`);
  const entries = Object.entries(properties);
  if (entries.length > GA4_LIMITS.userProperties) add("user_properties", `at most ${GA4_LIMITS.userProperties} user properties, got ${entries.length}`);
  for (const [name, property] of entries) {
    const path = `user_properties.${name}`;
    const nameProblem = userPropertyNameProblem(name);
    if (nameProblem) add(path, nameProblem);
    if (!isPlainObject(property)) {
      add(path, `expected an object like {"value": "gold"}, got ${showValue(property)}`);
      continue;
    }
    for (const key of Object.keys(property)) {
      if (!USER_PROPERTY_FIELDS.has(key)) add(`${path}.${key}`, "unknown field; a user property holds value and timestamp_micros");
    }
    const value = property.value;
    if (value === undefined) add(`${path}.value`, "required");
    else if (typeof value === "string") {
      const length = characters(value);
      if (length > GA4_LIMITS.userPropertyValueLength) add(`${path}.value`, `must be at most ${GA4_LIMITS.userPropertyValueLength} characters, got ${length}`);
    } else if (typeof value !== "number" || !Number.isFinite(value)) add(`${path}.value`, `expected a string or number, got ${showValue(value)}`);
    checkTimestamp(property.timestamp_micros, `${path}.timestamp_micros`, now, add);
  }
}

function checkEvents(events: unknown, now: Date, add: Add): void {
  if (events === undefined) return add("events", "required");
  if (!Array.isArray(events)) return add("events", `expected an array of events, got ${kindOf(events)}`);
  if (events.length === 0) return add("events", "at least 1 event is required");
  if (events.length > GA4_LIMITS.eventsPerRequest) add("events", `at most ${GA4_LIMITS.eventsPerRequest} events per request, got ${events.length}`);
  events.forEach((event, i) => checkEvent(event, `events[${i}]`, now, add));
}

function checkEvent(event: unknown, path: string, now: Date, add: Add): void {
  if (!isPlainObject(event)) return add(path, `expected an object, got ${kindOf(event)}`);
  for (const key of Object.keys(event)) {
    if (!EVENT_FIELDS.has(key)) add(`${path}.${key}`, "unknown field; an event holds name, params and timestamp_micros");
  }
  if (event.name === undefined) add(`${path}.name`, "required");
  else if (typeof event.name !== "string") add(`${path}.name`, `expected a string, got ${showValue(event.name)}`);
  else {
    const problem = eventNameProblem(event.name);
    if (problem) add(`${path}.name`, problem);
  }
  checkTimestamp(event.timestamp_micros, `${path}.timestamp_micros`, now, add);
  const params = event.params;
  if (params === undefined) return;
  if (!isPlainObject(params)) return add(`${path}.params`, `expected an object, got ${kindOf(params)}`);
  const entries = Object.entries(params);
  if (entries.length > GA4_LIMITS.paramsPerEvent) add(`${path}.params`, `at most ${GA4_LIMITS.paramsPerEvent} parameters per event, got ${entries.length}`);
  for (const [name, value] of entries) {
    const at = `${path}.params.${name}`;
    const nameProblem = parameterNameProblem(name);
    if (nameProblem) add(at, nameProblem);
    if (name === "items") checkItems(value, at, add);
    else checkParamValue(name, value, GA4_LIMITS.longParamValueLengths[name] ?? GA4_LIMITS.paramValueLength, at, add);
  }
}

function checkItems(items: unknown, path: string, add: Add): void {
  if (!Array.isArray(items)) return add(path, `expected an array of items, got ${kindOf(items)}`);
  if (items.length > GA4_LIMITS.itemsPerEvent) add(path, `at most ${GA4_LIMITS.itemsPerEvent} items per event, got ${items.length}`);
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(item)) return add(at, `expected an object, got ${kindOf(item)}`);
    for (const [name, value] of Object.entries(item)) {
      const nameProblem = parameterNameProblem(name);
      if (nameProblem) add(`${at}.${name}`, nameProblem);
      checkParamValue(name, value, GA4_LIMITS.paramValueLength, `${at}.${name}`, add);
    }
  });
}

function checkParamValue(name: string, value: unknown, maxLength: number, path: string, add: Add): void {
  if (typeof value === "string") {
    // A string has at least as many UTF-16 units as characters, so a short one needs no count.
    const length = value.length <= maxLength ? value.length : characters(value);
    if (length > maxLength) add(path, `must be at most ${maxLength} characters, got ${length}`);
    else if (name === "currency" && !isIso4217Currency(value)) {
      add(path, `expected an upper-case ISO 4217 currency code such as EUR or USD, got ${showValue(value)}`);
    }
  } else if (name === "currency") {
    add(path, `expected an upper-case ISO 4217 currency code such as EUR or USD, got ${showValue(value)}`);
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) add(path, `expected a finite number, got ${String(value)}`);
  } else if (typeof value !== "boolean") {
    add(path, `expected a string, number or boolean, got ${kindOf(value)}`);
  }
}

/** Google counts characters, not UTF-16 code units: an emoji is one. */
function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${showValue(value)}`;
}
