import { describe, expect, it } from "vitest";
import { InvalidMeasurementIdError, mapUaToGa4, parseUaHit, validateGa4Body, type Ga4Body } from "@tributary/core/ga";
import { NOW, uaFixture } from "./fixtures";

const RECEIVED_MICROS = NOW.getTime() * 1000;

/** The sanitized hit of a UA fixture, as the proxy keeps it. */
function hitOf(name: string): Record<string, string> {
  const parsed = parseUaHit(uaFixture(name));
  if (!parsed.ok) throw new Error(`fixture ${name} is invalid`);
  return parsed.hit;
}

describe("mapUaToGa4", () => {
  const mapped: [string, Ga4Body][] = [
    [
      "pageview",
      {
        client_id: "555.1772440000",
        timestamp_micros: RECEIVED_MICROS,
        events: [{ name: "page_view", params: { page_location: "https://www.tributary.test/kits?utm_source=newsletter", page_title: "Our kits", page_referrer: "https://www.google.com/" } }],
      },
    ],
    [
      "event",
      {
        client_id: "555.1772440000",
        user_id: "100234",
        timestamp_micros: RECEIVED_MICROS - 1_500_000, // qt=1500: the event happened 1.5 s before it reached us
        events: [
          {
            name: "activate_kit",
            params: { event_category: "Kit", event_action: "Activate Kit", event_label: "KIT-0042-7781", value: 1, page_location: "https://www.tributary.test/activate" },
          },
        ],
      },
    ],
    [
      "transaction",
      {
        client_id: "555.1772440000",
        timestamp_micros: RECEIVED_MICROS,
        events: [{ name: "purchase", params: { transaction_id: "ORD-2026-000123", value: 129.9, currency: "EUR", tax: 21.65, shipping: 0, affiliation: "Web shop" } }],
      },
    ],
    [
      "exception",
      {
        client_id: "555.1772440000",
        timestamp_micros: RECEIVED_MICROS,
        events: [{ name: "exception", params: { description: "TypeError: kit is undefined", fatal: false, page_location: "https://www.tributary.test/activate" } }],
      },
    ],
    [
      "pii",
      {
        client_id: "555.1772440000",
        timestamp_micros: RECEIVED_MICROS,
        events: [{ name: "page_view", params: { page_location: "https://www.tributary.test/confirm?email=[redacted]", page_title: "Confirm [redacted]" } }],
      },
    ],
  ];

  it.each(mapped)("maps the %s fixture to a valid GA4 body", (name, expected) => {
    // Act
    const body = mapUaToGa4(hitOf(name), "G-TRIBUTARY1", { receivedAt: NOW });

    // Assess
    expect(body).toEqual(expected);
    expect(validateGa4Body(body, { now: NOW })).toEqual({ ok: true, body });
  });

  it.each([
    ["timing", "GA4 has no timing event"],
    ["screenview", "screen_view is reserved in the Measurement Protocol"],
    ["uid-only", "GA4 needs a client id"],
  ])("keeps the %s fixture raw only (%s)", (name) => {
    expect(mapUaToGa4(hitOf(name), "G-TRIBUTARY1", { receivedAt: NOW })).toBeNull();
  });

  it("names an event without a usable action ua_event and leaves out an unknown currency", () => {
    // Prepare
    const event = { v: "1", tid: "UA-123456-1", cid: "1.2", t: "event", ec: "Kit", ea: "Session Start" };
    const transaction = { v: "1", tid: "UA-123456-1", cid: "1.2", t: "transaction", ti: "T1", tr: "10", cu: "EURO" };

    // Act
    const eventBody = mapUaToGa4(event, "G-TRIBUTARY1", { receivedAt: NOW });
    const transactionBody = mapUaToGa4(transaction, "G-TRIBUTARY1", { receivedAt: NOW });

    // Assess
    expect(eventBody?.events).toEqual([{ name: "ua_event", params: { event_category: "Kit", event_action: "Session Start" } }]);
    expect(transactionBody?.events).toEqual([{ name: "purchase", params: { transaction_id: "T1", value: 10 } }]);
  });

  it("cuts values to GA4's limits (the raw UA hit keeps them whole)", () => {
    // Prepare
    const hit = { v: "1", tid: "UA-123456-1", cid: "1.2", t: "pageview", dl: `https://x.test/${"p".repeat(2000)}`, dt: "t".repeat(400) };

    // Act
    const body = mapUaToGa4(hit, "G-TRIBUTARY1", { receivedAt: NOW })!;

    // Assess
    const params = body.events[0]!.params!;
    expect([(params.page_location as string).length, (params.page_title as string).length]).toEqual([1000, 300]);
    expect(validateGa4Body(body, { now: NOW }).ok).toBe(true);
  });

  it("builds page_location from dh and dp when dl is missing", () => {
    const body = mapUaToGa4({ v: "1", tid: "UA-1-1", cid: "1.2", t: "pageview", dh: "www.tributary.test", dp: "/kits" }, "G-TRIBUTARY1", { receivedAt: NOW });
    expect(body?.events[0]?.params).toEqual({ page_location: "https://www.tributary.test/kits" });
  });

  it("refuses a target that is not a GA4 measurement id", () => {
    expect(() => mapUaToGa4(hitOf("pageview"), "UA-123456-1")).toThrow(InvalidMeasurementIdError);
    expect(() => mapUaToGa4(hitOf("pageview"), "UA-123456-1")).toThrow('ga: "UA-123456-1" is not a GA4 measurement id (expected G-XXXXXXX)');
  });
});
