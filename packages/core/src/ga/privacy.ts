/**
 * Keeping personal data out of what we store and forward: emails and phone numbers are replaced by
 * `[redacted]` in URLs, titles and parameters, and a `user_id` carrying one is dropped — Google's policy forbids
 * sending PII, and GA4 cannot delete it afterwards. What was removed is counted so the caller can report it.
 * Hashed values (`user_data.sha256_*`) are left as they are: they are what Google asks for.
 */
import type { Ga4Body, Ga4Event, Ga4Item, Ga4Params, Ga4UserProperty } from "./ga4-body";
import { findPii } from "./pii-spans";

export const REDACTED = "[redacted]";

export interface Redaction {
  value: string;
  /** How many emails / phone numbers were replaced. */
  redactions: number;
}

/**
 * Replaces every email address and phone number in `value` (plain, or percent-encoded inside a URL) with `[redacted]`.
 *
 * @example redactPii("https://shop.test/thanks?email=ann%40example.com") // "https://shop.test/thanks?email=[redacted]"
 * @example redactPii("Call +44 20 7946 0958") // "Call [redacted]"
 * @example redactPii("order 100234567") // "order 100234567" (ids are not phone numbers)
 */
export function redactPii(value: string): string {
  return redactCounting(value).value;
}

/**
 * `redactPii` that also says how many values it replaced.
 *
 * @example redactCounting("a@b.co or c@d.co") // { value: "[redacted] or [redacted]", redactions: 2 }
 */
export function redactCounting(value: string): Redaction {
  const spans = findPii(value);
  if (spans.length === 0) return { value, redactions: 0 };
  let out = "";
  let at = 0;
  for (const [start, end] of spans) {
    out += value.slice(at, start) + REDACTED;
    at = end;
  }
  return { value: out + value.slice(at), redactions: spans.length };
}

/**
 * True when `value` holds an email address or phone number anywhere.
 *
 * @example containsPii("ann@example.com") // true
 * @example containsPii("123456789.1700000000") // false
 */
export function containsPii(value: string): boolean {
  return findPii(value).length > 0;
}

export interface SanitizedGa4Body {
  body: Ga4Body;
  redactions: number;
  /** True when `user_id` held an email or phone number and was removed. */
  droppedUserId: boolean;
}

/**
 * A copy of a validated GA4 body with PII removed: every string parameter (items included, so
 * `page_location` and `page_referrer` too), every string user property, and the client / app instance id are
 * redacted; a `user_id` holding an email or phone number is dropped, never forwarded.
 *
 * @example
 * const { body, redactions, droppedUserId } = sanitizeGa4Body({ client_id: "1.2", user_id: "ann@example.com", events: [{ name: "login" }] });
 * // body.user_id === undefined, droppedUserId === true, redactions === 0
 */
export function sanitizeGa4Body(body: Ga4Body): SanitizedGa4Body {
  let redactions = 0;
  const clean = (value: string): string => {
    const result = redactCounting(value);
    redactions += result.redactions;
    return result.value;
  };
  const { user_id: userId, ...rest } = body;
  const droppedUserId = userId !== undefined && containsPii(userId);
  const out: Ga4Body = { ...rest, events: body.events.map((event) => sanitizeEvent(event, clean)) };
  if (userId !== undefined && !droppedUserId) out.user_id = userId;
  if (body.client_id !== undefined) out.client_id = clean(body.client_id);
  if (body.app_instance_id !== undefined) out.app_instance_id = clean(body.app_instance_id);
  if (body.user_properties) {
    out.user_properties = Object.fromEntries(
      Object.entries(body.user_properties).map(([name, property]): [string, Ga4UserProperty] => [
        name,
        typeof property.value === "string" ? { ...property, value: clean(property.value) } : { ...property },
      ]),
    );
  }
  return { body: out, redactions, droppedUserId };
}

function sanitizeEvent(event: Ga4Event, clean: (value: string) => string): Ga4Event {
  if (!event.params) return { ...event };
  const params: Ga4Params = {};
  for (const [name, value] of Object.entries(event.params)) {
    params[name] = Array.isArray(value) ? value.map((item) => sanitizeItem(item, clean)) : typeof value === "string" ? clean(value) : value;
  }
  return { ...event, params };
}

function sanitizeItem(item: Ga4Item, clean: (value: string) => string): Ga4Item {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, typeof value === "string" ? clean(value) : value]));
}
