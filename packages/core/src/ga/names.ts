/**
 * GA4 naming rules for events, parameters and user properties, shared by the GA4 validator and the UA → GA4
 * mapping. Sources: the Measurement Protocol "Reserved names" and "Limitations" sections and Google's own
 * validator (googleanalytics/ga-dev-tools, `formatCheckLib.ts`). Google's lists say they are "not exhaustive";
 * these are the names Google documents for the Measurement Protocol, nothing guessed.
 */

export const GA4_NAME_MAX_LENGTH = 40;
export const GA4_USER_PROPERTY_NAME_MAX_LENGTH = 24;

/** Letters, digits and underscores, starting with a letter (which also rules out the `_` and `gtag.` prefixes). */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Event names the Measurement Protocol reserves for automatically collected events. `page_view` is not among
 * them (it is reserved only for events created in the GA UI), so a proxied `page_view` is accepted.
 * `ad_impression` comes from Google's validator (ga-dev-tools), which refuses it too.
 */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  "ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query", "ad_reward", "adunit_exposure",
  "app_clear_data", "app_exception", "app_install", "app_remove", "app_store_refund", "app_update", "app_upgrade",
  "dynamic_link_app_open", "dynamic_link_app_update", "dynamic_link_first_open", "error",
  "firebase_campaign", "firebase_in_app_message_action", "firebase_in_app_message_dismiss",
  "firebase_in_app_message_impression", "first_open", "first_visit", "in_app_purchase",
  "notification_dismiss", "notification_foreground", "notification_open", "notification_receive", "notification_send",
  "os_update", "screen_view", "session_start", "user_engagement",
]);

/** User property names Google sets itself. */
export const RESERVED_USER_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  "first_open_time", "first_visit_time", "last_deep_link_referrer", "user_id", "first_open_after_install",
]);

/** Prefixes reserved for event, parameter and user property names (compared case-insensitively, to be safe). */
export const RESERVED_NAME_PREFIXES: readonly string[] = ["google_", "ga_", "firebase_"];

function shapeProblem(name: string, maxLength: number): string | undefined {
  if (name.length > maxLength) return `must be at most ${maxLength} characters, got ${name.length} ("${name.slice(0, 50)}${name.length > 50 ? "..." : ""}")`;
  if (!NAME_PATTERN.test(name)) return `must start with a letter and hold only letters, digits and underscores, got ${JSON.stringify(name)}`;
  const prefix = RESERVED_NAME_PREFIXES.find((p) => name.toLowerCase().startsWith(p));
  if (prefix) return `"${name}" starts with the reserved prefix "${prefix}"`;
  return undefined;
}

/**
 * Why `name` cannot be a GA4 event name, or undefined when it can.
 *
 * @example eventNameProblem("session_start") // '"session_start" is a reserved event name'
 * @example eventNameProblem("kit_activated") // undefined
 */
export function eventNameProblem(name: string): string | undefined {
  return shapeProblem(name, GA4_NAME_MAX_LENGTH) ?? (RESERVED_EVENT_NAMES.has(name) ? `"${name}" is a reserved event name` : undefined);
}

/**
 * Why `name` cannot be an event or item parameter name, or undefined when it can.
 *
 * @example parameterNameProblem("ga_session") // '"ga_session" starts with the reserved prefix "ga_"'
 */
export function parameterNameProblem(name: string): string | undefined {
  return shapeProblem(name, GA4_NAME_MAX_LENGTH);
}

/**
 * Why `name` cannot be a user property name, or undefined when it can.
 *
 * @example userPropertyNameProblem("user_id") // '"user_id" is a reserved user property name'
 */
export function userPropertyNameProblem(name: string): string | undefined {
  return (
    shapeProblem(name, GA4_USER_PROPERTY_NAME_MAX_LENGTH) ??
    (RESERVED_USER_PROPERTY_NAMES.has(name) ? `"${name}" is a reserved user property name` : undefined)
  );
}

/**
 * Turns free text (a UA event action such as "Add To Cart") into a valid GA4 event name, or `fallback` when
 * nothing valid remains or the result is reserved.
 *
 * @example normaliseEventName("Add To Cart") // "add_to_cart"
 * @example normaliseEventName("3D view!") // "d_view"
 * @example normaliseEventName("session start") // "ua_event" (reserved)
 */
export function normaliseEventName(text: string, fallback = "ua_event"): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .slice(0, GA4_NAME_MAX_LENGTH)
    .replace(/_+$/, "");
  return name === "" || eventNameProblem(name) !== undefined ? fallback : name;
}
