import { describe, expect, it } from "vitest";
import { parseUaHit } from "@tributary/core/ga";
import { uaFixture, uaFixtureNames } from "./fixtures";

describe("parseUaHit", () => {
  it.each(uaFixtureNames().filter((name) => name !== "pii"))("keeps the %s fixture's parameters as they are", (name) => {
    // Prepare
    const params = uaFixture(name);

    // Act
    const result = parseUaHit(params);

    // Assess
    expect(result).toEqual({ ok: true, hit: Object.fromEntries(params), redactions: 0, droppedUserId: false });
  });

  it("strips emails and phone numbers, drops an email uid and passes consent through", () => {
    // Act
    const result = parseUaHit(uaFixture("pii"));

    // Assess
    expect(result).toEqual({
      ok: true,
      redactions: 3,
      droppedUserId: true,
      hit: {
        v: "1",
        tid: "UA-123456-1",
        cid: "555.1772440000",
        t: "pageview",
        dl: "https://www.tributary.test/confirm?email=[redacted]",
        dt: "Confirm [redacted]",
        cd1: "[redacted]",
        cd2: "KIT-0042-7781",
        gcs: "G101",
        gcd: "13r3r3r3r5",
      },
    });
  });

  it("lists every problem of the invalid fixture", () => {
    expect(parseUaHit(uaFixture("invalid"))).toEqual({
      ok: false,
      problems: [
        { path: "v", reason: 'expected "1", got "2"' },
        { path: "tid", reason: 'expected a Universal Analytics property id like UA-12345-1, got "G-TRIBUTARY1"; GA4 measurement ids go to /mp/collect' },
        { path: "t", reason: 'expected one of pageview, screenview, event, transaction, item, social, exception, timing, got "click"' },
        { path: "cid", reason: "required (the client id; or uid, the user id)" },
        { path: "qt", reason: 'expected whole milliseconds of queue time, got "soon"' },
      ],
    });
  });

  it.each([
    ["no v", "tid=UA-1-1&cid=1.2&t=pageview", { path: "v", reason: 'required (the protocol version, always "1")' }],
    ["no tid", "v=1&cid=1.2&t=pageview", { path: "tid", reason: "required (the property id, e.g. UA-12345-1)" }],
    ["no t", "v=1&tid=UA-1-1&cid=1.2", { path: "t", reason: "required (one of pageview, screenview, event, transaction, item, social, exception, timing)" }],
    ["empty cid and uid", "v=1&tid=UA-1-1&cid=&uid=&t=event", { path: "cid", reason: "required (the client id; or uid, the user id)" }],
    ["a repeated parameter", "v=1&tid=UA-1-1&cid=1.2&t=pageview&dl=a&dl=b", { path: "dl", reason: "given 2 times; send each parameter once" }],
    ["a negative queue time", "v=1&tid=UA-1-1&cid=1.2&t=pageview&qt=-5", { path: "qt", reason: 'expected whole milliseconds of queue time, got "-5"' }],
  ])("refuses %s", (_case, query, problem) => {
    expect(parseUaHit(new URLSearchParams(query))).toEqual({ ok: false, problems: [problem] });
  });

  it("accepts a form-encoded body the same way as a query string", () => {
    // Prepare
    const body = "v=1&tid=UA-123456-1&cid=555.1&t=event&ec=Kit&ea=Activate+Kit&el=call+me+on+020+7946+0958";

    // Act
    const result = parseUaHit(new URLSearchParams(body));

    // Assess
    expect(result).toEqual({
      ok: true,
      hit: { v: "1", tid: "UA-123456-1", cid: "555.1", t: "event", ec: "Kit", ea: "Activate Kit", el: "call me on [redacted]" },
      redactions: 1,
      droppedUserId: false,
    });
  });

  it("keeps a uid that is an ordinary id and a uid-only hit", () => {
    expect(parseUaHit(uaFixture("uid-only"))).toMatchObject({ ok: true, hit: { uid: "100234" }, droppedUserId: false });
  });
});
