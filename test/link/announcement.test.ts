import { describe, expect, it } from "vitest";
import { InvalidAnnouncementError, parseRecordIngested } from "@tributary/core/link";

const detail = {
  dataset: "orders",
  source: "backend",
  batchId: "cdc-backend-0002",
  files: ["bronze/backend/orders/dt=2026-10-01/hour=08/cdc-backend-0002-0.parquet"],
  landed: 2,
  quarantined: 0,
  linkKeysComplete: true,
  records: [
    { recordId: "orders:0000002A000001F00003:1:0000002A000001F00002:2", keys: { customer_id: "42", kit_barcode: "KIT-0008" } },
    { recordId: "orders:0000002A000001F00004:1:0000002A000001F00003:2", keys: { customer_id: "43" } },
  ],
};
const envelope = (overrides: Record<string, unknown> = {}, detailOverrides: Record<string, unknown> = {}) => ({
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "record.ingested",
  source: "tributary.ingest",
  time: "2026-10-01T08:02:01Z",
  detail: { ...detail, ...detailOverrides },
  ...overrides,
});

/** The message parseRecordIngested throws for an event (fails the test when it does not throw). */
function refusal(event: unknown): string {
  try {
    parseRecordIngested(event);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAnnouncementError);
    return (error as Error).message;
  }
  throw new Error("expected the announcement to be refused");
}

describe("parseRecordIngested", () => {
  it("reads the announcement out of EventBridge's envelope", () => {
    expect(parseRecordIngested(envelope())).toEqual({ ...detail, part: 0 });
  });

  it("defaults part and records for an announcement past the key cap", () => {
    const { records: _records, ...capped } = detail;
    expect(parseRecordIngested(envelope({ detail: { ...capped, linkKeysComplete: false } }))).toEqual({ ...capped, linkKeysComplete: false, part: 0, records: [] });
  });

  it("refuses other events, naming the path", () => {
    expect(refusal(envelope({ "detail-type": "object.created" }))).toMatch(/^link: not a record\.ingested announcement: detail-type: /);
    expect(refusal(envelope({ detail: undefined }))).toMatch(/^link: not a record\.ingested announcement: detail: /);
  });

  it("refuses a malformed detail, naming each bad path", () => {
    const { dataset: _dataset, ...withoutDataset } = detail;
    expect(refusal(envelope({ detail: withoutDataset }))).toMatch(/^link: not a record\.ingested announcement: detail\.dataset: /);
    expect(refusal(envelope({}, { landed: -1 }))).toMatch(/detail\.landed: /);
    expect(refusal(envelope({}, { part: 1.5 }))).toMatch(/detail\.part: /);
    expect(refusal(envelope({}, { files: [""] }))).toMatch(/detail\.files\.0: /);
    const badRecord = refusal(envelope({}, { records: [detail.records[0], { recordId: "", keys: { customer_id: 42 } }] }));
    expect(badRecord).toMatch(/detail\.records\.1\.recordId: /);
    expect(badRecord).toMatch(/; detail\.records\.1\.keys\.customer_id: /);
  });

  it("refuses what is not an event at all", () => {
    for (const event of [null, "record.ingested", 42, []]) expect(refusal(event)).toMatch(/^link: not a record\.ingested announcement: \(event\): /);
  });
});
