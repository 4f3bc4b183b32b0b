/**
 * What bronze rows contribute to the real-time report, for the shipped config. The rows in `golden/facts-*.input.json`
 * are what DuckDB hands the link step (`readBronzeRows`: bigint and decimal as text, timestamps as `… +00`,
 * lineage included); `golden/facts-*.expected.json` holds the reviewed facts per row.
 */
import { describe, expect, it } from "vitest";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { factsOf, feedsReport, ReportValueError, versionOf } from "@tributary/core/reports";
import shipped from "../../tributary.config";
import { expectedCases, goldenCases, goldenExpected, readGoldenInput } from "./golden";

const config = parseConfig(shipped);
const PREFIX = "facts-";

interface FactsInput {
  dataset: string;
  rows: Record<string, unknown>[];
}

describe("factsOf: golden files", () => {
  const cases = goldenCases(PREFIX);

  it("has an expected file for every input, and covers every dataset the shipped report reads", async () => {
    expect(expectedCases(PREFIX)).toEqual(cases);
    const covered = new Set<string>();
    for (const name of cases) covered.add((await readGoldenInput<FactsInput>(name)).dataset);
    const read = [config.realtime.orders!.dataset, config.realtime.labResults!.dataset, ...config.realtime.web.map((w) => w.dataset)];
    expect([...covered].sort()).toEqual([...new Set(read)].sort());
  });

  it.each(cases)("%s", async (name) => {
    // Prepare
    const input = await readGoldenInput<FactsInput>(name);
    const dataset = datasetNamed(config, input.dataset);

    // Act
    const facts = input.rows.map((row) => ({ _record_id: row._record_id, facts: factsOf(config.realtime, dataset, row) }));

    // Assess
    const { expected, actual } = await goldenExpected(name, facts);
    expect(actual).toStrictEqual(expected);
  });
});

const cdc = (lsn: string, seqval: string, op: string) => ({ _lsn: lsn, _seqval: seqval, _op: op });
const LSN_A = "0000002A000000100001";
const LSN_B = "0000002A000001F00003";
const ZERO = "00000000000000000000";

describe("versionOf", () => {
  it("ends an update that SQL Server logged as delete + insert under one seqval with the insert (operation order 1 < 2)", () => {
    const del = versionOf({ ...cdc(LSN_B, "0000002A000001F00002", "delete"), _record_id: `orders:${LSN_B}:3:0000002A000001F00002:1` })!;
    const ins = versionOf({ ...cdc(LSN_B, "0000002A000001F00002", "insert"), _record_id: `orders:${LSN_B}:3:0000002A000001F00002:2` })!;
    expect(del < ins).toBe(true);
  });

  it("orders changes of one transaction by command id before seqval, as SQL Server documents", () => {
    const first = versionOf({ ...cdc(LSN_B, "0000002A000001F00009", "update_after"), _record_id: `orders:${LSN_B}:2:0000002A000001F00009:4` })!;
    const second = versionOf({ ...cdc(LSN_B, "0000002A000001F00001", "update_after"), _record_id: `orders:${LSN_B}:10:0000002A000001F00001:4` })!;
    expect(first < second).toBe(true);
  });

  it("orders CDC rows by LSN first, whatever their seqval", () => {
    const earlier = versionOf(cdc(LSN_A, "0000002A0000001FFFFF", "update_after"))!;
    const later = versionOf(cdc(LSN_B, "0000002A000001F00001", "insert"))!;
    expect(earlier < later).toBe(true);
  });

  it("orders rows of one LSN by seqval", () => {
    const first = versionOf(cdc(LSN_B, "0000002A000001F00002", "update_after"))!;
    const second = versionOf(cdc(LSN_B, "0000002A000001F00005", "update_after"))!;
    expect(first < second).toBe(true);
  });

  it("puts a snapshot below a change at the same LSN, even at the same seqval", () => {
    const snapshot = versionOf(cdc(LSN_B, ZERO, "snapshot"))!;
    const change = versionOf(cdc(LSN_B, "0000002A000001F00002", "update_after"))!;
    const insertAtZero = versionOf(cdc(LSN_B, ZERO, "insert"))!;
    expect(snapshot < change).toBe(true);
    expect(snapshot < insertAtZero).toBe(true);
  });

  it("gives no version to an update's before-image", () => {
    expect(versionOf(cdc(LSN_B, ZERO, "update_before"))).toBeUndefined();
  });

  it("compares LSNs case-insensitively (the same change is one version)", () => {
    expect(versionOf(cdc(LSN_B.toLowerCase(), "0000002a000001f00002", "insert"))).toBe(versionOf(cdc(LSN_B, "0000002A000001F00002", "insert")));
  });

  it("orders other rows by ingestion time, then record id", () => {
    const early = versionOf({ _ingested_at: "2026-10-02 09:59:59.999+00", _record_id: "b-2:9" })!;
    const late = versionOf({ _ingested_at: "2026-10-02 10:00:00+00", _record_id: "b-1:1" })!;
    const lateTwin = versionOf({ _ingested_at: "2026-10-02T10:00:00Z", _record_id: "b-1:2" })!;
    expect(early < late).toBe(true);
    expect(late < lateTwin).toBe(true);
    // One instant in two renderings is one version.
    expect(versionOf({ _ingested_at: "2026-10-02 12:00:00+02", _record_id: "b-1:1" })).toBe(late);
  });
});

describe("factsOf", () => {
  const orders = datasetNamed(config, "orders");
  const order = (overrides: Record<string, unknown>) => ({
    order_id: "7",
    customer_id: "42",
    kit_barcode: "KIT-0007",
    amount: "49.00",
    status: "paid",
    ordered_at: "2026-10-01 08:00:00+00",
    ...cdc(LSN_B, "0000002A000001F00002", "insert"),
    _record_id: "orders:x",
    ...overrides,
  });

  it("takes a blank kit barcode (a space-padded char column) as no kit", () => {
    const [fact] = factsOf(config.realtime, orders, order({ kit_barcode: "   " }));
    expect(fact).toMatchObject({ kind: "order", kit: null });
  });

  it("refuses an amount that is not a decimal, naming dataset, column and value", () => {
    const act = () => factsOf(config.realtime, orders, order({ amount: "12,50" }));
    expect(act).toThrow(ReportValueError);
    expect(act).toThrow('reports: orders.amount: "12,50" is not a decimal');
  });

  it("refuses a time that is not a timestamp, and takes a missing time as unknown", () => {
    expect(() => factsOf(config.realtime, orders, order({ ordered_at: "yesterday" }))).toThrow('reports: orders.ordered_at: "yesterday" is not a timestamp');
    const [fact] = factsOf(config.realtime, orders, order({ ordered_at: null }));
    expect(fact).toMatchObject({ kind: "order", time: null });
  });

  it("gives no order fact without an order id", () => {
    expect(factsOf(config.realtime, orders, order({ order_id: null }))).toEqual([]);
  });

  it("skips a GA hit tagged as a bot whether the flag reads as a boolean or as text", () => {
    const ga = datasetNamed(config, "ga_events");
    const hit = (isBot: unknown) => ({ client_id: "1.2", session_id: "9", event_time: "2026-10-01 08:00:00+00", is_bot: isBot, _record_id: "h", _ingested_at: "2026-10-01 08:00:01+00" });
    expect(factsOf(config.realtime, ga, hit(true))).toEqual([]);
    expect(factsOf(config.realtime, ga, hit("true"))).toEqual([]);
    expect(factsOf(config.realtime, ga, hit(false))).toHaveLength(1);
  });

  it("reads nothing from datasets no realtime role names", () => {
    const customers = datasetNamed(config, "customers");
    const utm = datasetNamed(config, "user_utm");
    expect(feedsReport(config.realtime, customers)).toBe(false);
    expect(feedsReport(config.realtime, utm)).toBe(false);
    expect(factsOf(config.realtime, customers, { customer_id: "42", email: "a@b.c", created_at: "2026-10-01 08:00:00+00", ...cdc(LSN_B, ZERO, "insert") })).toEqual([]);
    for (const name of ["orders", "lab_results", "ga_events", "user_events"]) expect(feedsReport(config.realtime, datasetNamed(config, name)), name).toBe(true);
  });
});
