import { describe, expect, it } from "vitest";
import { compileRowValidator, datasetNamed, parseConfig } from "@tributary/core/config";
import { GaHitShapeError, gaEventRecords, parseUaHit, sanitizeGa4Body, validateGa4Body, type GaHit } from "@tributary/core/ga";
import shipped from "../../tributary.config";
import { NOW, ga4Fixture, ga4FixtureNames, uaFixture, uaFixtureNames } from "./fixtures";

const RECEIVED_AT = "2026-03-02T10:00:00.123456Z";
const validate = compileRowValidator(datasetNamed(parseConfig(shipped), "ga_events"));

const arrival = (name: string) => ({
  v: 1 as const,
  hitId: `hit-${name}`,
  receivedAt: RECEIVED_AT,
  sourceIp: "203.0.113.0",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0",
  isBot: false,
});

/** A GA4 fixture as the proxy keeps it: validated, sanitized, one event id per event. */
function ga4Hit(name: string): GaHit {
  const checked = validateGa4Body(ga4Fixture(name), { now: NOW });
  if (!checked.ok) throw new Error(`fixture ${name} is invalid`);
  const { body } = sanitizeGa4Body(checked.body);
  return {
    ...arrival(name),
    protocol: "ga4",
    measurementId: "G-TRIBUTARY1",
    consent: body.consent ?? null,
    payload: body,
    events: body.events.map((event, i) => ({ eventId: `${name}-${i}`, name: event.name })),
    mappedGa4: null,
  };
}

/** A UA fixture as the proxy keeps it. */
function uaHit(name: string): GaHit {
  const parsed = parseUaHit(uaFixture(name));
  if (!parsed.ok) throw new Error(`fixture ${name} is invalid`);
  const consent = Object.fromEntries(["gcs", "gcd"].filter((k) => parsed.hit[k] !== undefined).map((k) => [k, parsed.hit[k]]));
  return {
    ...arrival(name),
    protocol: "ua",
    measurementId: "UA-123456-1",
    consent: Object.keys(consent).length > 0 ? consent : null,
    payload: parsed.hit,
    events: [{ eventId: `${name}-0`, name: parsed.hit.t ?? "hit" }],
    mappedGa4: null,
  };
}

describe("gaEventRecords", () => {
  it.each([...ga4FixtureNames().map((n) => ["ga4", n]), ...uaFixtureNames().map((n) => ["ua", n])])(
    "gives %s fixture %s records the ga_events dataset accepts",
    (protocol, name) => {
      // Prepare
      const hit = protocol === "ga4" ? ga4Hit(name) : uaHit(name);

      // Act
      const records = gaEventRecords(hit);

      // Assess
      expect(records.map((r) => r.eventId)).toEqual(hit.events.map((e) => e.eventId));
      for (const { record } of records) expect(validate(record)).toMatchObject({ ok: true });
    },
  );

  it("turns a GA4 page view into one record", () => {
    // Act
    const records = gaEventRecords(ga4Hit("page-view"));

    // Assess
    expect(records).toEqual([
      {
        eventId: "page-view-0",
        record: {
          event_id: "page-view-0",
          protocol: "ga4",
          measurement_id: "G-TRIBUTARY1",
          client_id: "1234567890.1772440000",
          user_id: "100234",
          session_id: "1772444000",
          event_name: "page_view",
          event_time: "2026-03-02T09:50:00.000000Z",
          event_params: JSON.stringify({
            page_location: "https://www.tributary.test/kits/activate?utm_source=newsletter&utm_medium=email",
            page_title: "Activate your kit",
            page_referrer: "https://mail.example.com/",
            session_id: "1772444000",
            engagement_time_msec: 1200,
          }),
          user_properties: null,
          page_location: "https://www.tributary.test/kits/activate?utm_source=newsletter&utm_medium=email",
          consent: '{"ad_user_data":"GRANTED","ad_personalization":"DENIED"}',
          is_bot: false,
          transaction_id: null,
          kit_barcode: null,
        },
      },
    ]);
  });

  it("takes the link keys and ids from the event parameters", () => {
    const [purchase] = gaEventRecords(ga4Hit("purchase"));
    expect(purchase!.record).toMatchObject({ transaction_id: "ORD-2026-000123", kit_barcode: "KIT-0042-7781", session_id: "1772444000", user_id: "100234" });
  });

  it("dates each event by its own timestamp, then the body's, then the arrival", () => {
    // Act
    const app = gaEventRecords(ga4Hit("app-instance")).map((r) => r.record);
    const purchase = gaEventRecords(ga4Hit("purchase")).map((r) => r.record);

    // Assess
    expect(app.map((r) => r.event_time)).toEqual(["2026-03-02T08:43:20.000000Z", "2026-03-02T09:00:00.000000Z"]);
    expect(purchase.map((r) => r.event_time)).toEqual([RECEIVED_AT]);
    expect(app[0]).toMatchObject({
      client_id: "cbd7a35d0e1d4b3c9f2a6e8b1c0d4f5a",
      user_properties: '{"customer_tier":{"value":"premium"},"kits_activated":{"value":3,"timestamp_micros":1772438400000000}}',
    });
  });

  it("keeps what sanitizing removed out of the records", () => {
    const records = gaEventRecords(ga4Hit("pii-in-params")).map((r) => r.record);
    expect(records[0]).toMatchObject({ user_id: null, page_location: "https://www.tributary.test/account/confirm?email=[redacted]&ref=mail" });
    expect(JSON.stringify(records)).not.toMatch(/example\.(com|org)|7946/);
  });

  it("turns a UA hit into one record dated arrival minus queue time", () => {
    // Prepare
    const hit = uaHit("event");

    // Act
    const records = gaEventRecords(hit);

    // Assess
    expect(records).toEqual([
      {
        eventId: "event-0",
        record: {
          event_id: "event-0",
          protocol: "ua",
          measurement_id: "UA-123456-1",
          client_id: "555.1772440000",
          user_id: "100234",
          session_id: null,
          event_name: "event",
          event_time: "2026-03-02T09:59:58.623456Z",
          event_params: JSON.stringify(hit.payload),
          user_properties: null,
          page_location: "https://www.tributary.test/activate",
          consent: null,
          is_bot: false,
          transaction_id: null,
          kit_barcode: null,
        },
      },
    ]);
  });

  it("keeps UA consent and builds page_location from dh and dp", () => {
    const [pii] = gaEventRecords(uaHit("pii"));
    const [uidOnly] = gaEventRecords(uaHit("uid-only"));
    expect(pii!.record).toMatchObject({ consent: '{"gcs":"G101","gcd":"13r3r3r3r5"}', user_id: null, event_name: "pageview" });
    expect(uidOnly!.record).toMatchObject({ client_id: null, user_id: "100234", page_location: "https://www.tributary.test/kits/dna" });
  });

  it("refuses a hit whose event ids do not line up with its events", () => {
    // Prepare
    const hit = { ...ga4Hit("multi-event"), events: [{ eventId: "only-one", name: "login" }] };

    // Act / Assess
    expect(() => gaEventRecords(hit)).toThrow(GaHitShapeError);
    expect(() => gaEventRecords(hit)).toThrow("ga: hit hit-multi-event is malformed: payload has 3 events but 1 event ids");
  });

  it("refuses a hit whose arrival time is not a timestamp", () => {
    expect(() => gaEventRecords({ ...uaHit("pageview"), receivedAt: "yesterday" })).toThrow('ga: hit hit-pageview is malformed: receivedAt "yesterday" is not an ISO 8601 timestamp');
  });
});
