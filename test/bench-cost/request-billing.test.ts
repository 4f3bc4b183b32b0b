import { describe, expect, it } from "vitest";
import { MIB } from "../../bench/cost/cost-model";
import { eventBridgeBilling, eventBridgeEntryBytes, s3ListRequests, s3PutRequests, sqsSendBilling } from "../../bench/cost/request-billing";

describe("sqsSendBilling", () => {
  it("counts calls of 10 and 64 KB chunks of each call's payload, the id attribute included", () => {
    // 70,000 body + "id" + "String" + "a" = 70,009 bytes → 2 chunks
    expect(sqsSendBilling([{ id: "a", body: "x".repeat(70_000) }])).toEqual({ calls: 1, billed: 2 });
    const small = Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, body: "{}" }));
    expect(sqsSendBilling(small)).toEqual({ calls: 3, billed: 3 });
  });
});

describe("eventBridgeEntryBytes", () => {
  it("counts source, detail type, detail and 14 bytes for a time", () => {
    // "tributary" 9 + "record.ingested" 15 + '{"a":1}' 7
    const entry = { source: "tributary", detailType: "record.ingested", detail: { a: 1 } };
    expect(eventBridgeEntryBytes(entry)).toBe(31);
    expect(eventBridgeEntryBytes({ ...entry, time: new Date() })).toBe(45);
  });

  it("bills each entry per 64 KB chunk, in calls of 10", () => {
    const big = { source: "tributary", detailType: "record.ingested", detail: { records: "x".repeat(70_000) } };
    const small = { source: "tributary", detailType: "file.ingested", detail: {} };
    expect(eventBridgeBilling([big, ...Array.from({ length: 10 }, () => small)])).toEqual({ calls: 2, billed: 12 });
  });
});

describe("s3PutRequests", () => {
  it("is one PutObject and the adapter's HEAD for bytes or a stream under one part", () => {
    expect(s3PutRequests(12 * MIB, false)).toEqual({ put: 1, get: 1 });
    expect(s3PutRequests(5 * MIB, true)).toEqual({ put: 1, get: 1 });
  });

  it("is create + one part per 5 MiB + complete above a part", () => {
    expect(s3PutRequests(12 * MIB, true)).toEqual({ put: 5, get: 1 });
  });

  it("lists 1,000 keys a page, one page at least", () => {
    expect([s3ListRequests(0), s3ListRequests(1000), s3ListRequests(1001)]).toEqual([1, 1, 2]);
  });
});
