/**
 * The report table on dynalite: every write is conditional, so duplicates count once, late arrivals never
 * regress the report, and visits only widen. Facts come from `factsOf` over bronze-shaped rows, so they are the
 * facts the link step writes. Each test writes under its own entity id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import type { LocalDynamo } from "../../packages/core/src/local/dynamo";
import { factsOf, ReportTable, type Fact, type OrderFact, type ReportItem } from "@tributary/core/reports";
import shipped from "../../tributary.config";
import { startLinkDynamo } from "../link/link-harness";

const config = parseConfig(shipped);
const orders = datasetNamed(config, "orders");
const labResults = datasetNamed(config, "lab_results");
const gaEvents = datasetNamed(config, "ga_events");

let dynamo: LocalDynamo;
let reports: ReportTable;
let entities = 0;
/** A fresh entity id per use: tests stay independent on one table. */
const freshEntity = () => `ent_${(entities += 1).toString(16).padStart(26, "0")}`;

beforeAll(async () => {
  dynamo = await startLinkDynamo();
  reports = new ReportTable(dynamo.doc, "realtime_reports");
});
afterAll(async () => dynamo?.stop());

const orderFacts = (lsn: string, op: string, values: { status: string; amount: string }): Fact[] =>
  factsOf(config.realtime, orders, {
    order_id: "8",
    customer_id: "42",
    kit_barcode: "KIT-0008",
    ordered_at: "2026-10-01 08:01:00+00",
    ...values,
    _record_id: `orders:${lsn}:${op}`,
    _lsn: lsn,
    _seqval: lsn,
    _op: op,
  });

const resultFacts = (): Fact[] =>
  factsOf(config.realtime, labResults, { kit_barcode: "KIT-0008", test_code: "LDL", result_flag: "high", reported_at: "2026-10-02 09:30:00+00", _record_id: "b-lab:2", _ingested_at: "2026-10-02 10:00:00+00" });

const visitFacts = (at: string, utmSource: string | null, session = "1790000000"): Fact[] =>
  factsOf(config.realtime, gaEvents, {
    client_id: "1234.5678",
    session_id: session,
    event_time: at,
    page_location: utmSource === null ? "https://shop.example.com/" : `https://shop.example.com/?utm_source=${utmSource}`,
    is_bot: false,
    _record_id: `hit:${at}`,
    _ingested_at: at,
  });

/** The items of an entity without its key, sorted by sk: what two entities can be compared on. */
async function itemsWithoutKey(entity: string): Promise<ReportItem[]> {
  const items = await reports.itemsOf([entity]);
  return items.map(({ pk: _pk, ...rest }) => rest as ReportItem).sort((a, b) => a.sk.localeCompare(b.sk));
}

/** Items without `appliedAt`: for comparing what was applied, not when. */
const undated = (items: ReportItem[]) => items.map(({ appliedAt: _at, ...rest }) => rest);
const AT_1 = new Date("2026-10-01T09:00:00Z");
const AT_2 = new Date("2026-10-01T09:05:00Z");

const permutations = <T>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));

describe("ReportTable.apply", () => {
  it("counts the same facts once when they are applied twice", async () => {
    // Prepare
    const entity = freshEntity();
    const facts = [...orderFacts("0000002A000001F00003", "insert", { status: "pending", amount: "39.90" }), ...resultFacts(), ...visitFacts("2026-10-01 08:00:00+00", "newsletter")];

    // Act
    const first = await reports.apply(entity, facts, AT_1);
    const itemsAfterFirst = await itemsWithoutKey(entity);
    const second = await reports.apply(entity, facts, AT_2);

    // Assess
    expect(first).toEqual({ applied: 3, stale: 0 });
    expect(second).toEqual({ applied: 0, stale: 3 });
    // Nothing changed the second time, not even when the items say they were applied.
    expect(await itemsWithoutKey(entity)).toEqual(itemsAfterFirst);
    expect(itemsAfterFirst.map((i) => [i.sk, i.appliedAt])).toEqual([
      ["order#8", AT_1.toISOString()],
      ["result#KIT-0008#LDL", AT_1.toISOString()],
      ["visit#ga_events#1234.5678#1790000000", AT_1.toISOString()],
    ]);
  });

  it("keeps the newest order version when an older one arrives after it", async () => {
    // Prepare
    const entity = freshEntity();
    const newer = orderFacts("0000002A000002100004", "update_after", { status: "paid", amount: "44.00" });
    const older = orderFacts("0000002A000001F00003", "insert", { status: "pending", amount: "39.90" });

    // Act
    const appliedNewer = await reports.apply(entity, newer);
    const appliedOlder = await reports.apply(entity, older);

    // Assess
    expect(appliedNewer).toEqual({ applied: 1, stale: 0 });
    expect(appliedOlder).toEqual({ applied: 0, stale: 1 });
    const [item] = await itemsWithoutKey(entity);
    expect(item).toMatchObject({ sk: "order#8", status: "paid", amount: "44.00", version: (newer[0] as OrderFact).version });
  });

  it("moves an order forward when a newer version follows, delete included", async () => {
    // Prepare
    const entity = freshEntity();
    await reports.apply(entity, orderFacts("0000002A000001F00003", "insert", { status: "pending", amount: "39.90" }));

    // Act
    const update = await reports.apply(entity, orderFacts("0000002A000002100004", "update_after", { status: "paid", amount: "44.00" }));
    const deletion = await reports.apply(entity, orderFacts("0000002A000002400002", "delete", { status: "paid", amount: "44.00" }));

    // Assess
    expect([update, deletion]).toEqual([
      { applied: 1, stale: 0 },
      { applied: 1, stale: 0 },
    ]);
    expect(await itemsWithoutKey(entity)).toMatchObject([{ sk: "order#8", status: "paid", deleted: true }]);
  });

  it("widens a visit's first and last seen only outwards, whatever order the hits arrive in", async () => {
    // Prepare
    const hits = [
      { at: "2026-10-01 08:30:00+00", source: "google" },
      { at: "2026-10-01 08:00:00+00", source: "newsletter" },
      { at: "2026-10-01 09:15:00.5+00", source: null },
    ];
    const answers: unknown[] = [];

    // Act: every arrival order, one apply per hit; and all three in one apply
    for (const order of permutations(hits)) {
      const entity = freshEntity();
      for (const hit of order) await reports.apply(entity, visitFacts(hit.at, hit.source));
      answers.push(undated(await itemsWithoutKey(entity)));
    }
    const batched = freshEntity();
    await reports.apply(batched, permutations(hits)[3]!.flatMap((hit) => visitFacts(hit.at, hit.source)));
    answers.push(undated(await itemsWithoutKey(batched)));

    // Assess
    expect(answers).toHaveLength(7);
    for (const answer of answers) {
      expect(answer).toEqual([
        {
          sk: "visit#ga_events#1234.5678#1790000000",
          firstKey: "2026-10-01T08:00:00.000Z|newsletter",
          firstSeen: "2026-10-01T08:00:00.000Z",
          firstSource: "newsletter",
          lastSeen: "2026-10-01T09:15:00.500Z",
          dataset: "ga_events",
          visitor: "1234.5678",
          session: "1790000000",
        },
      ]);
    }
  });

  it("widens both ends of an existing visit with one batch", async () => {
    // Prepare
    const entity = freshEntity();
    await reports.apply(entity, visitFacts("2026-10-01 08:30:00+00", "google"), AT_1);

    // Act
    const outcome = await reports.apply(entity, [...visitFacts("2026-10-01 09:30:00+00", null), ...visitFacts("2026-10-01 08:00:00+00", "newsletter")], AT_2);

    // Assess
    expect(outcome).toEqual({ applied: 1, stale: 0 });
    expect(await itemsWithoutKey(entity)).toMatchObject([{ firstSeen: "2026-10-01T08:00:00.000Z", firstSource: "newsletter", lastSeen: "2026-10-01T09:30:00.000Z", appliedAt: AT_2.toISOString() }]);
  });

  it("dates a visit by the apply that last widened it", async () => {
    // Prepare
    const entity = freshEntity();
    const appliedAt = async () => (await itemsWithoutKey(entity))[0]?.appliedAt;
    await reports.apply(entity, visitFacts("2026-10-01 08:00:00+00", "newsletter"), AT_1);

    // Act
    await reports.apply(entity, visitFacts("2026-10-01 08:00:00+00", "newsletter"), AT_2);
    const afterDuplicate = await appliedAt();
    await reports.apply(entity, visitFacts("2026-10-01 10:00:00+00", null), AT_2);

    // Assess
    expect(afterDuplicate).toBe(AT_1.toISOString());
    expect(await appliedAt()).toBe(AT_2.toISOString());
  });

  it("counts a hit inside the seen window as stale", async () => {
    // Prepare
    const entity = freshEntity();
    await reports.apply(entity, [...visitFacts("2026-10-01 08:00:00+00", "newsletter"), ...visitFacts("2026-10-01 09:00:00+00", null)]);

    // Act
    const inside = await reports.apply(entity, visitFacts("2026-10-01 08:30:00+00", "google"));
    const later = await reports.apply(entity, visitFacts("2026-10-01 09:30:00+00", null));

    // Assess
    expect(inside).toEqual({ applied: 0, stale: 1 });
    expect(later).toEqual({ applied: 1, stale: 0 });
    expect(await itemsWithoutKey(entity)).toMatchObject([{ firstSeen: "2026-10-01T08:00:00.000Z", firstSource: "newsletter", lastSeen: "2026-10-01T09:30:00.000Z" }]);
  });

  it("breaks a tie on the first hit's time by source, the same way in either order", async () => {
    // Prepare
    const at = "2026-10-01 08:00:00+00";
    const oneWay = freshEntity();
    const otherWay = freshEntity();

    // Act
    await reports.apply(oneWay, visitFacts(at, "newsletter"));
    await reports.apply(oneWay, visitFacts(at, "google"));
    await reports.apply(otherWay, visitFacts(at, "google"));
    await reports.apply(otherWay, visitFacts(at, "newsletter"));

    // Assess
    const items = undated(await itemsWithoutKey(oneWay));
    expect(items).toEqual(undated(await itemsWithoutKey(otherWay)));
    expect(items).toMatchObject([{ firstSeen: "2026-10-01T08:00:00.000Z", firstSource: "google" }]);
  });

  it("keeps visits of different sessions apart", async () => {
    // Prepare
    const entity = freshEntity();

    // Act
    await reports.apply(entity, [...visitFacts("2026-10-01 08:00:00+00", "newsletter", "1"), ...visitFacts("2026-10-02 08:00:00+00", "google", "2")]);

    // Assess
    expect(await itemsWithoutKey(entity)).toMatchObject([
      { sk: "visit#ga_events#1234.5678#1", firstSource: "newsletter", lastSeen: "2026-10-01T08:00:00.000Z" },
      { sk: "visit#ga_events#1234.5678#2", firstSource: "google", lastSeen: "2026-10-02T08:00:00.000Z" },
    ]);
  });
});

describe("ReportTable.touch", () => {
  it("never moves the report's as-of time back", async () => {
    // Prepare
    const entity = freshEntity();
    const asOf = async () => (await itemsWithoutKey(entity)).find((i) => i.sk === "touch")?.asOf;

    // Act
    await reports.touch(entity, new Date("2026-10-01T08:05:00Z"));
    await reports.touch(entity, new Date("2026-10-01T08:01:00Z"));
    const afterOlder = await asOf();
    await reports.touch(entity, new Date("2026-10-01T08:09:00.250Z"));

    // Assess
    expect(afterOlder).toBe("2026-10-01T08:05:00.000Z");
    expect(await asOf()).toBe("2026-10-01T08:09:00.250Z");
  });
});

describe("ReportTable.itemsOf", () => {
  it("unites the items of several entities and gives nothing for an unknown one", async () => {
    // Prepare
    const a = freshEntity();
    const b = freshEntity();
    await reports.apply(a, orderFacts("0000002A000001F00003", "insert", { status: "pending", amount: "39.90" }));
    await reports.apply(b, resultFacts());

    // Act
    const items = await reports.itemsOf([a, b, freshEntity()]);

    // Assess
    expect(items.map((i) => [i.pk, i.sk])).toEqual([
      [`entity#${a}`, "order#8"],
      [`entity#${b}`, "result#KIT-0008#LDL"],
    ]);
  });
});
