/**
 * Folding report items into a customer's report. `golden/report-*.input.json` holds the items of an entity and
 * everything merged into it, as the report table stores them; `golden/report-*.expected.json` the reviewed report.
 */
import { describe, expect, it } from "vitest";
import { foldReport, type FoldOptions, type ReportItem } from "@tributary/core/reports";
import { expectedCases, goldenCases, goldenExpected, readGoldenInput } from "./golden";

const PREFIX = "report-";

interface ReportInput {
  entityId: string;
  nodes: string[];
  options: Omit<FoldOptions, "now"> & { now: string };
  items: ReportItem[];
}

const fold = (input: ReportInput, items = input.items) => foldReport(input.entityId, input.nodes, items, { ...input.options, now: new Date(input.options.now) });

describe("foldReport: golden files", () => {
  const cases = goldenCases(PREFIX);

  it("has an expected file for every input", () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(expectedCases(PREFIX)).toEqual(cases);
  });

  it.each(cases)("%s", async (name) => {
    // Prepare
    const input = await readGoldenInput<ReportInput>(name);

    // Act
    const report = fold(input);

    // Assess
    const { expected, actual } = await goldenExpected(name, report);
    expect(actual).toStrictEqual(expected);
  });

  it.each(cases)("%s: the same report whatever order the items are read in", async (name) => {
    // Prepare
    const input = await readGoldenInput<ReportInput>(name);

    // Act
    const forwards = fold(input);
    const backwards = fold(input, [...input.items].reverse());

    // Assess
    expect(backwards).toEqual(forwards);
  });
});

const order = (id: string, amount: string, status: string, extra: Record<string, unknown> = {}): ReportItem => ({
  pk: "entity#ent_1",
  sk: `order#${id}`,
  kind: "order",
  version: "0000002A000001000001:0000002A000001000001:1",
  orderId: id,
  amount,
  status,
  kit: null,
  time: "2026-10-01T08:00:00.000Z",
  deleted: false,
  ...extra,
});
const options = (overrides: Partial<FoldOptions> = {}): FoldOptions => ({ members: 1, now: new Date("2026-10-01T09:00:00Z"), customerKey: "customer_id", excludeFromSpend: ["cancelled"], ...overrides });

describe("foldReport", () => {
  it("sums spend exactly over many orders", () => {
    // Prepare
    const items = Array.from({ length: 1_000 }, (_, i) => order(String(i), i % 2 === 0 ? "0.10" : "0.20", "paid"));

    // Act
    const report = foldReport("ent_1", ["customer_id:42"], items, options());

    // Assess
    expect(report.orders).toMatchObject({ count: 1_000, spend: "150.00" });
  });

  it("leaves out of spend exactly the statuses the config names", () => {
    // Prepare
    const items = [order("1", "10.00", "paid"), order("2", "20.00", "cancelled"), order("3", "40.00", "refunded")];

    // Act
    const byDefault = foldReport("ent_1", [], items, options());
    const withRefunds = foldReport("ent_1", [], items, options({ excludeFromSpend: ["cancelled", "refunded"] }));

    // Assess
    expect([byDefault.orders.spend, withRefunds.orders.spend]).toEqual(["50.00", "10.00"]);
    expect(withRefunds.orders.count).toBe(3);
  });

  it("dates the report by the newest applied fact or touch, freshness never negative when the clock lags", () => {
    // Prepare
    const items: ReportItem[] = [
      { pk: "entity#ent_1", sk: "touch", asOf: "2026-10-01T08:59:30.000Z" },
      order("1", "10.00", "paid", { pk: "entity#ent_2", appliedAt: "2026-10-01T08:59:58.750Z" }),
      order("2", "10.00", "paid", { appliedAt: "2026-10-01T08:00:00.000Z" }),
    ];

    // Act
    const report = foldReport("ent_1", [], items, options({ members: 2 }));
    const skewed = foldReport("ent_1", [], items, options({ now: new Date("2026-10-01T08:59:58.000Z") }));
    const empty = foldReport("ent_1", [], [], options());

    // Assess
    expect(report).toMatchObject({ as_of: "2026-10-01T08:59:58.750Z", freshness_seconds: 1.3 });
    expect(skewed.freshness_seconds).toBe(0);
    expect(empty).toMatchObject({ as_of: null, freshness_seconds: null });
  });

  it("takes customer ids from the configured customer key only", () => {
    const report = foldReport("ent_1", ["account:7", "customer_id:42", "customer_idx:9"], [], options());
    expect(report.customer_ids).toEqual(["42"]);
    expect(report.links.keys).toEqual({ account: 1, customer_id: 1, customer_idx: 1 });
  });
});
