/**
 * Which tables each Athena role may query. Expected tables are written out here, not derived from the rules, so a
 * rule change that widens a role's access fails.
 */
import { describe, expect, it } from "vitest";
import { ATHENA_ROLES, catalogTables, tablesForRole } from "@tributary/core/catalog";
import { parseConfig } from "@tributary/core/config";
import shipped from "../../tributary.config";

const config = parseConfig(shipped);
const names = (role: (typeof ATHENA_ROLES)[number]) => tablesForRole(config, role).map((t) => `${t.layer}.${t.name}`).sort();

describe("tablesForRole", () => {
  it("gives analysts gold and the silver of datasets without PII, never bronze", () => {
    expect(names("analyst")).toEqual([
      "gold.customer_activity",
      "gold.daily_kpis",
      "gold.results_by_region",
      "silver.ga_events",
      "silver.orders",
      "silver.user_events",
      "silver.user_utm",
    ]);
  });

  it("gives data science all of silver and nothing else", () => {
    expect(names("data_science")).toEqual(["silver.customers", "silver.ga_events", "silver.lab_results", "silver.orders", "silver.user_events", "silver.user_utm"]);
  });

  it("gives regulatory reporting the results_by_region extract only, whatever the report is named", () => {
    const renamed = parseConfig({ ...shipped, reports: [...shipped.reports!.filter((r) => r.kind !== "results_by_region"), { ...shipped.reports!.find((r) => r.kind === "results_by_region")!, name: "regulator_extract" }] });

    expect(names("regulatory")).toEqual(["gold.results_by_region"]);
    expect(tablesForRole(renamed, "regulatory").map((t) => t.name)).toEqual(["regulator_extract"]);
  });

  it("gives engineers every table, bronze included", () => {
    expect(names("engineer")).toEqual(catalogTables(config).map((t) => `${t.layer}.${t.name}`).sort());
  });
});
