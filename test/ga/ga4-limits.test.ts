import { describe, expect, it } from "vitest";
import { GA4_MAX_BODY_BYTES, validateGa4Body, type GaProblem } from "@tributary/core/ga";
import { NOW, ga4Fixture, ga4FixtureNames } from "./fixtures";

const NOW_MICROS = NOW.getTime() * 1000;
const HOUR_MICROS = 3_600_000_000;

/** A small valid body; each case below breaks one rule of it. */
const base = () => ({
  client_id: "1234567890.1772440000",
  events: [{ name: "kit_activated", params: { kit_barcode: "KIT-0042-7781", session_id: "1772444000", engagement_time_msec: 1 } }],
});
const withEvent = (event: Record<string, unknown>) => ({ ...base(), events: [event] });
const withParams = (params: Record<string, unknown>) => withEvent({ name: "kit_activated", params });
const manyParams = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, i]));
const manyUserProperties = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`up${i}`, { value: i }]));
const CURRENCY_REASON = (shown: string) => `expected an upper-case ISO 4217 currency code such as EUR or USD, got ${shown}`;

describe("validateGa4Body", () => {
  it.each(ga4FixtureNames())("accepts the %s fixture", (name) => {
    // Prepare
    const body = ga4Fixture(name);

    // Act
    const result = validateGa4Body(body, { now: NOW });

    // Assess
    expect(result).toEqual({ ok: true, body });
  });

  it("lists every problem of the invalid fixture by path", () => {
    // Act
    const result = validateGa4Body(ga4Fixture("invalid"), { now: NOW });

    // Assess
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: "clientId",
          reason:
            "unknown field; a Measurement Protocol body holds client_id, app_instance_id, user_id, timestamp_micros, user_properties, consent, non_personalized_ads, user_data, user_location, device, ip_override, validation_behavior, events",
        },
        { path: "client_id", reason: "required (web streams; app streams send app_instance_id instead)" },
        {
          path: "timestamp_micros",
          reason: "1970-01-21T12:20:45.000Z is more than 72 hours before now (2026-03-02T10:00:00.000Z) (is it in milliseconds? GA4 wants microseconds)",
        },
        { path: "user_properties.ga_tier", reason: '"ga_tier" starts with the reserved prefix "ga_"' },
        { path: "user_properties.favourite_kit", reason: 'expected an object like {"value": "gold"}, got "DNA"' },
        { path: "events[0].name", reason: '"session_start" is a reserved event name' },
        { path: "events[1].params.currency", reason: CURRENCY_REASON('"eur"') },
        { path: "events[1].params.coupon_description", reason: "must be at most 100 characters, got 119" },
        { path: "events[2].name", reason: 'must start with a letter and hold only letters, digits and underscores, got "add-to-cart"' },
        { path: "events[2].params.items[0].price", reason: "expected a string, number or boolean, got an object" },
      ],
    });
  });

  const refused: [string, unknown, GaProblem][] = [
    ["a body that is not an object", [base()], { path: "(body)", reason: "expected a JSON object, got an array" }],
    ["an unknown field", { ...base(), api_secret: "s3cret" }, { path: "api_secret", reason: expect.stringMatching(/^unknown field; a Measurement Protocol body holds client_id, /) }],
    ["both client_id and app_instance_id", { ...base(), app_instance_id: "cbd7a35d0e1d4b3c9f2a6e8b1c0d4f5a" }, { path: "app_instance_id", reason: "send client_id (web stream) or app_instance_id (app stream), not both" }],
    ["a numeric client_id", { ...base(), client_id: 12345 }, { path: "client_id", reason: "expected a non-empty string, got 12345" }],
    ["a blank client_id", { ...base(), client_id: "  " }, { path: "client_id", reason: 'expected a non-empty string, got "  "' }],
    ["a user_id over 256 characters", { ...base(), user_id: "u".repeat(257) }, { path: "user_id", reason: "must be at most 256 characters, got 257" }],
    ["no events", { client_id: "1.2" }, { path: "events", reason: "required" }],
    ["an empty events array", { ...base(), events: [] }, { path: "events", reason: "at least 1 event is required" }],
    ["events that are not an array", { ...base(), events: { name: "x" } }, { path: "events", reason: "expected an array of events, got an object" }],
    ["26 events", { ...base(), events: Array.from({ length: 26 }, () => ({ name: "tick" })) }, { path: "events", reason: "at most 25 events per request, got 26" }],
    ["an event that is not an object", withEvent("login" as unknown as Record<string, unknown>), { path: "events[0]", reason: 'expected an object, got string "login"' }],
    ["an event without a name", withEvent({ params: {} }), { path: "events[0].name", reason: "required" }],
    ["an event name of 41 characters", withEvent({ name: `e${"x".repeat(40)}` }), { path: "events[0].name", reason: `must be at most 40 characters, got 41 ("e${"x".repeat(40)}")` }],
    ["an event name starting with a digit", withEvent({ name: "1st_visit" }), { path: "events[0].name", reason: 'must start with a letter and hold only letters, digits and underscores, got "1st_visit"' }],
    ["an event name with a space", withEvent({ name: "kit activated" }), { path: "events[0].name", reason: 'must start with a letter and hold only letters, digits and underscores, got "kit activated"' }],
    ["the reserved event screen_view", withEvent({ name: "screen_view" }), { path: "events[0].name", reason: '"screen_view" is a reserved event name' }],
    ["the reserved event ad_impression", withEvent({ name: "ad_impression" }), { path: "events[0].name", reason: '"ad_impression" is a reserved event name' }],
    ["an event name with a reserved prefix", withEvent({ name: "google_signal" }), { path: "events[0].name", reason: '"google_signal" starts with the reserved prefix "google_"' }],
    ["an unknown event field", withEvent({ name: "login", param: { method: "x" } }), { path: "events[0].param", reason: "unknown field; an event holds name, params and timestamp_micros" }],
    ["params that are not an object", withEvent({ name: "login", params: ["x"] }), { path: "events[0].params", reason: "expected an object, got an array" }],
    ["26 parameters", withParams(manyParams(26)), { path: "events[0].params", reason: "at most 25 parameters per event, got 26" }],
    ["a parameter name starting with _", withParams({ _private: 1 }), { path: "events[0].params._private", reason: 'must start with a letter and hold only letters, digits and underscores, got "_private"' }],
    ["a parameter name with a reserved prefix", withParams({ firebase_token: "t" }), { path: "events[0].params.firebase_token", reason: '"firebase_token" starts with the reserved prefix "firebase_"' }],
    ["a parameter name of 41 characters", withParams({ [`p${"x".repeat(40)}`]: 1 }), { path: `events[0].params.p${"x".repeat(40)}`, reason: `must be at most 40 characters, got 41 ("p${"x".repeat(40)}")` }],
    ["a parameter value of 101 characters", withParams({ note: "n".repeat(101) }), { path: "events[0].params.note", reason: "must be at most 100 characters, got 101" }],
    ["a page_location of 1001 characters", withParams({ page_location: `https://x.test/${"p".repeat(986)}` }), { path: "events[0].params.page_location", reason: "must be at most 1000 characters, got 1001" }],
    ["a page_title of 301 characters", withParams({ page_title: "t".repeat(301) }), { path: "events[0].params.page_title", reason: "must be at most 300 characters, got 301" }],
    ["a page_referrer of 421 characters", withParams({ page_referrer: "r".repeat(421) }), { path: "events[0].params.page_referrer", reason: "must be at most 420 characters, got 421" }],
    ["a null parameter", withParams({ coupon: null }), { path: "events[0].params.coupon", reason: "expected a string, number or boolean, got null" }],
    ["a lower-case currency", withParams({ currency: "usd", value: 1 }), { path: "events[0].params.currency", reason: CURRENCY_REASON('"usd"') }],
    ["the no-currency code XXX", withParams({ currency: "XXX", value: 1 }), { path: "events[0].params.currency", reason: CURRENCY_REASON('"XXX"') }],
    ["a withdrawn currency (HRK)", withParams({ currency: "HRK", value: 1 }), { path: "events[0].params.currency", reason: CURRENCY_REASON('"HRK"') }],
    ["a numeric currency code", withParams({ currency: 978, value: 1 }), { path: "events[0].params.currency", reason: CURRENCY_REASON("978") }],
    ["items that are not an array", withParams({ items: { item_id: "A" } }), { path: "events[0].params.items", reason: "expected an array of items, got an object" }],
    ["201 items", withParams({ items: Array.from({ length: 201 }, (_, i) => ({ item_id: `I${i}` })) }), { path: "events[0].params.items", reason: "at most 200 items per event, got 201" }],
    ["an item that is not an object", withParams({ items: ["DNA-KIT"] }), { path: "events[0].params.items[0]", reason: 'expected an object, got string "DNA-KIT"' }],
    ["an item with a bad currency", withParams({ items: [{ item_id: "A", currency: "euro" }] }), { path: "events[0].params.items[0].currency", reason: CURRENCY_REASON('"euro"') }],
    ["an item parameter with a bad name", withParams({ items: [{ item_id: "A", "item-colour": "red" }] }), { path: "events[0].params.items[0].item-colour", reason: 'must start with a letter and hold only letters, digits and underscores, got "item-colour"' }],
    ["an item value of 101 characters", withParams({ items: [{ item_id: "A", item_name: "n".repeat(101) }] }), { path: "events[0].params.items[0].item_name", reason: "must be at most 100 characters, got 101" }],
    ["26 user properties", { ...base(), user_properties: manyUserProperties(26) }, { path: "user_properties", reason: "at most 25 user properties, got 26" }],
    ["a user property name of 25 characters", { ...base(), user_properties: { [`u${"x".repeat(24)}`]: { value: 1 } } }, { path: `user_properties.u${"x".repeat(24)}`, reason: `must be at most 24 characters, got 25 ("u${"x".repeat(24)}")` }],
    ["the reserved user property user_id", { ...base(), user_properties: { user_id: { value: "100234" } } }, { path: "user_properties.user_id", reason: '"user_id" is a reserved user property name' }],
    ["a user property value of 37 characters", { ...base(), user_properties: { tier: { value: "v".repeat(37) } } }, { path: "user_properties.tier.value", reason: "must be at most 36 characters, got 37" }],
    ["a user property without value", { ...base(), user_properties: { tier: {} } }, { path: "user_properties.tier.value", reason: "required" }],
    ["a user property with a boolean value", { ...base(), user_properties: { tier: { value: true } } }, { path: "user_properties.tier.value", reason: "expected a string or number, got true" }],
    ["an unknown user property field", { ...base(), user_properties: { tier: { value: "gold", set_at: 1 } } }, { path: "user_properties.tier.set_at", reason: "unknown field; a user property holds value and timestamp_micros" }],
    ["a timestamp 73 hours old", { ...base(), timestamp_micros: NOW_MICROS - 73 * HOUR_MICROS }, { path: "timestamp_micros", reason: "2026-02-27T09:00:00.000Z is more than 72 hours before now (2026-03-02T10:00:00.000Z)" }],
    ["a timestamp 10 minutes ahead", { ...base(), timestamp_micros: NOW_MICROS + HOUR_MICROS / 6 }, { path: "timestamp_micros", reason: "2026-03-02T10:10:00.000Z is in the future (now 2026-03-02T10:00:00.000Z)" }],
    ["a timestamp as text", { ...base(), timestamp_micros: "1772445000000000" }, { path: "timestamp_micros", reason: 'expected whole microseconds since the epoch, got "1772445000000000"' }],
    ["a fractional timestamp", { ...base(), timestamp_micros: 1772445000000000.5 }, { path: "timestamp_micros", reason: "expected whole microseconds since the epoch, got 1772445000000000.5" }],
    ["an event timestamp 73 hours old", withEvent({ name: "login", timestamp_micros: NOW_MICROS - 73 * HOUR_MICROS }), { path: "events[0].timestamp_micros", reason: "2026-02-27T09:00:00.000Z is more than 72 hours before now (2026-03-02T10:00:00.000Z)" }],
    ["a user property timestamp in the future", { ...base(), user_properties: { tier: { value: "gold", timestamp_micros: NOW_MICROS + HOUR_MICROS } } }, { path: "user_properties.tier.timestamp_micros", reason: "2026-03-02T11:00:00.000Z is in the future (now 2026-03-02T10:00:00.000Z)" }],
    ["a consent value that is not GRANTED/DENIED", { ...base(), consent: { ad_user_data: "granted" } }, { path: "consent.ad_user_data", reason: 'expected "GRANTED" or "DENIED", got "granted"' }],
    ["an unknown consent field", { ...base(), consent: { analytics_storage: "GRANTED" } }, { path: "consent.analytics_storage", reason: "unknown field; consent holds ad_user_data, ad_personalization" }],
    ["a non-boolean non_personalized_ads", { ...base(), non_personalized_ads: "yes" }, { path: "non_personalized_ads", reason: 'expected true or false, got "yes"' }],
    ["an unknown validation_behavior", { ...base(), validation_behavior: "STRICT" }, { path: "validation_behavior", reason: 'expected "RELAXED" or "ENFORCE_RECOMMENDATIONS", got "STRICT"' }],
    ["a device that is not an object", { ...base(), device: "mobile" }, { path: "device", reason: 'expected an object, got string "mobile"' }],
  ];

  it.each(refused)("refuses %s", (_case, body, problem) => {
    // Act
    const result = validateGa4Body(body, { now: NOW });

    // Assess
    expect(result).toEqual({ ok: false, problems: [problem] });
  });

  const accepted: [string, unknown][] = [
    ["page_view (reserved only for UI-created events, not the MP)", withEvent({ name: "page_view", params: { page_location: "https://x.test/" } })],
    ["exactly 25 events, 25 parameters and 25 user properties", { ...base(), events: Array.from({ length: 25 }, () => ({ name: "tick", params: manyParams(25) })), user_properties: manyUserProperties(25) }],
    ["a 40-character event name and 100-character value", withEvent({ name: `e${"x".repeat(39)}`, params: { note: "n".repeat(100) } })],
    ["100 emoji in a 100-character value (characters, not UTF-16 units)", withParams({ note: "🧪".repeat(100) })],
    ["a page_location of 1000 characters", withParams({ page_location: `https://x.test/${"p".repeat(985)}` })],
    ["a timestamp 71 hours old", { ...base(), timestamp_micros: NOW_MICROS - 71 * HOUR_MICROS }],
    ["a timestamp 4 minutes ahead (clock skew)", { ...base(), timestamp_micros: NOW_MICROS + 4 * 60_000_000 }],
    ["an app_instance_id instead of client_id", { app_instance_id: "cbd7a35d0e1d4b3c9f2a6e8b1c0d4f5a", events: [{ name: "login" }] }],
    ["the newest currencies (XCG, ZWG, VED)", withParams({ currency: "XCG", items: [{ item_id: "A", currency: "ZWG" }, { item_id: "B", currency: "VED" }] })],
    ["pass-through objects (user_data, user_location, device)", { ...base(), user_data: { sha256_email_address: ["a".repeat(64)] }, user_location: { country_id: "GB" }, device: { category: "mobile" }, ip_override: "203.0.113.0" }],
  ];

  it.each(accepted)("accepts %s", (_case, body) => {
    expect(validateGa4Body(body, { now: NOW })).toEqual({ ok: true, body });
  });

  it("exports the body size limit the HTTP layer enforces", () => {
    expect(GA4_MAX_BODY_BYTES).toBe(130_000);
  });
});
