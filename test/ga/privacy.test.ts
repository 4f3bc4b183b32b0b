import { describe, expect, it } from "vitest";
import { containsPii, redactCounting, redactPii, sanitizeGa4Body, validateGa4Body, type Ga4Body } from "@tributary/core/ga";
import { NOW, ga4Fixture, ga4FixtureNames } from "./fixtures";

describe("redactPii", () => {
  it.each([
    // Emails, plain and inside URLs, encoded once or twice.
    ["ann@example.com", "[redacted]"],
    ["ANN.LEE@EXAMPLE.COM", "[redacted]"],
    ["Contact: Ann.Lee+news@mail.example.co.uk.", "Contact: [redacted]."],
    ["mailto:ann@example.com?subject=hi", "mailto:[redacted]?subject=hi"],
    ["https://shop.test/thanks?email=ann%40example.com&x=1", "https://shop.test/thanks?email=[redacted]&x=1"],
    ["https://shop.test/thanks?email=ann%40EXAMPLE.com", "https://shop.test/thanks?email=[redacted]"],
    ["https://shop.test/?next=%2Fthanks%3Femail%3Dann%2540example.com", "https://shop.test/?next=%2Fthanks%3Femail%3D[redacted]"],
    ["https://shop.test/?q=ann%2Btag%40example.com", "https://shop.test/?q=[redacted]"],
    ["a@b.co or c@d.co", "[redacted] or [redacted]"],
    // Phone numbers, international.
    ["+44 20 7946 0958", "[redacted]"],
    ["+1 (415) 555-2671", "[redacted]"],
    ["+1-415-555-2671", "[redacted]"],
    ["+33 1 23 45 67 89", "[redacted]"],
    ["+49 (0) 30 1234567", "[redacted]"],
    ["+44 (0)20 7946 0958", "[redacted]"],
    ["(+44) 20 7946 0958", "[redacted]"],
    ["+4915112345678", "[redacted]"],
    ["0044 20 7946 0958", "[redacted]"],
    ["Tel. +49 30 1234567-0", "Tel. [redacted]"],
    // Phone numbers, national.
    ["020 7946 0958", "[redacted]"],
    ["020-7946-0958", "[redacted]"],
    ["020  7946  0958", "[redacted]"],
    ["07946 000000", "[redacted]"],
    ["0800 123 4567", "[redacted]"],
    ["06 12 34 56 78", "[redacted]"],
    ["06-12345678", "[redacted]"],
    ["030/1234567", "[redacted]"],
    ["(030) 1234567", "[redacted]"],
    ["0151 12345678", "[redacted]"],
    ["0412 345 678", "[redacted]"],
    ["(415) 555-2671", "[redacted]"],
    ["415-555-2671", "[redacted]"],
    ["415.555.2671", "[redacted]"],
    ["1-415-555-2671", "[redacted]"],
    // Phone numbers in context: text, query strings, tel: links, form-encoded spaces.
    ["Call me on 020 7946 0958 after 5pm", "Call me on [redacted] after 5pm"],
    ["+44 7946 000000 or 07946 000001", "[redacted] or [redacted]"],
    ["2026-11-21 020 7946 0958", "2026-11-21 [redacted]"],
    ["https://x.test/?phone=07946000000", "https://x.test/?phone=[redacted]"],
    ["https://x.test/?contactPhone=%2B44%207946%20000000", "https://x.test/?contactPhone=[redacted]"],
    ["https://x.test/?mobile_number=0612345678&page=2", "https://x.test/?mobile_number=[redacted]&page=2"],
    ["x=%2B442079460958", "x=[redacted]"],
    ["tel:+442079460958", "tel:[redacted]"],
    ["q=call+020+7946+0958+now", "q=call+[redacted]+now"],
  ])("%j → %j", (value, expected) => {
    expect(redactPii(value)).toBe(expected);
  });

  it.each([
    // Prices and amounts.
    "1234.56", "€1.299,00", "1.234.567,89", "12.345.678", "Price: 0,99", "0.123456789", "2 x 0.5", "+100", "+1 rating",
    // Timestamps and dates.
    "1700000000000", "1772445000000000", "2026-01-02T03:04:05.123456Z", "2026-01-02 12:30:45", "01.02.2026", "01/02/2026 10:30",
    "06.12.2026 14:00", "2026-11-21", "ts=1772445000000000",
    // GA ids, order numbers, barcodes and other identifiers.
    "123456789.1700000000", "GA1.1.123456789.1700000000", "cid=555.1772440000", "100234567", "ORD-2026-000123", "KIT-0042-7781",
    "SKU 0042 7781", "session 1700000000123", "utm_id=0123456789", "gclid=EAIaIQobChMI0123456789", "q=order+12345678",
    "123e4567-e89b-12d3-a456-426614174000", "0000 1111 2222 3333",
    // Too few or too many digits for a national number.
    "ref 0123 4567", "0123 456789012",
    // Versions, addresses, coordinates, sizes, pages.
    "v1.2.3", "version 10.0.19045.3693", "Chrome/120.0.6099.109", "203.0.113.77", "ip 10.0.0.1", "51.5074, -0.1278",
    "width=1920&height=1080", "page 2 of 10", "1 234 567", "12  345  678", "123-456-7890 (not a real NANP number)",
    // Things with an @ that are not addresses, and keys that only look like phone keys.
    "logo@2x.png", "https://medium.com/@ann.lee/post", "user_name@localhost", "ann(at)example.com", "ann%40example", "hotel=0612345678",
    "",
  ])("leaves %j alone", (value) => {
    expect(redactPii(value)).toBe(value);
  });

  it.each([
    ["letters", "a".repeat(300_000) + "1"],
    ["digits", "1".repeat(300_000)],
    ["spaced digits", "1 ".repeat(150_000)],
    ["national-looking groups", "0 12 ".repeat(60_000)],
    ["dotted labels", "x@" + "a.".repeat(150_000) + "1"],
  ])("scans a long run of %s in linear time (a quadratic scan would outlast the test timeout)", (_case, value) => {
    expect(redactPii(value)).toBe(value);
  });

  it("counts what it replaced", () => {
    expect(redactCounting("mail ann@example.com or call 020 7946 0958")).toEqual({ value: "mail [redacted] or call [redacted]", redactions: 2 });
    expect(redactCounting("nothing here 100234567")).toEqual({ value: "nothing here 100234567", redactions: 0 });
  });

  it("says whether a value holds PII", () => {
    expect(containsPii("Ann.Lee@example.com")).toBe(true);
    expect(containsPii("+44 20 7946 0958")).toBe(true);
    expect(containsPii("100234")).toBe(false);
  });
});

describe("sanitizeGa4Body", () => {
  it("redacts params, items and user properties and drops an email user_id", () => {
    // Prepare
    const body = ga4Fixture("pii-in-params") as Ga4Body;
    const before = structuredClone(body);

    // Act
    const result = sanitizeGa4Body(body);

    // Assess
    expect(result).toEqual({
      redactions: 5,
      droppedUserId: true,
      body: {
        client_id: "1234567890.1772440000",
        user_properties: { contact: { value: "[redacted]" }, plan: { value: "family" } },
        events: [
          {
            name: "page_view",
            params: {
              page_location: "https://www.tributary.test/account/confirm?email=[redacted]&ref=mail",
              page_referrer: "https://www.tributary.test/signup?phone=[redacted]",
              page_title: "Confirm your account",
              session_id: "1772444000",
              engagement_time_msec: 10,
            },
          },
          {
            name: "form_submitted",
            params: {
              form_id: "callback",
              callback_number: "Call me on [redacted] after 5pm",
              order_number: "100234567",
              kit_barcode: "KIT-0042-7781",
              items: [{ item_id: "NOTE", item_name: "gift for [redacted]" }],
            },
          },
        ],
      },
    });
    expect(result.body).not.toHaveProperty("user_id");
    expect(body).toEqual(before);
    expect(validateGa4Body(result.body, { now: NOW }).ok).toBe(true);
  });

  it("drops a user_id holding a phone number but keeps an ordinary one", () => {
    const events = [{ name: "login" }];
    expect(sanitizeGa4Body({ client_id: "1.2", user_id: "+44 7946 000000", events })).toEqual({ body: { client_id: "1.2", events }, redactions: 0, droppedUserId: true });
    expect(sanitizeGa4Body({ client_id: "1.2", user_id: "100234", events })).toEqual({ body: { client_id: "1.2", user_id: "100234", events }, redactions: 0, droppedUserId: false });
  });

  it("redacts an email used as client id", () => {
    expect(sanitizeGa4Body({ client_id: "ann@example.com", events: [{ name: "login" }] })).toEqual({
      body: { client_id: "[redacted]", events: [{ name: "login" }] },
      redactions: 1,
      droppedUserId: false,
    });
  });

  it.each(ga4FixtureNames().filter((name) => name !== "pii-in-params"))("leaves the clean %s fixture unchanged", (name) => {
    // Prepare
    const body = ga4Fixture(name) as Ga4Body;

    // Act
    const result = sanitizeGa4Body(body);

    // Assess
    expect(result).toEqual({ body, redactions: 0, droppedUserId: false });
  });
});
