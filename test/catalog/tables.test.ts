import { describe, expect, it } from "vitest";
import { catalogTables } from "@tributary/core/catalog";
import { parseConfig } from "@tributary/core/config";
import shipped from "../../tributary.config";

const config = parseConfig(shipped);

describe("catalogTables", () => {
  it("has one bronze and one silver table per dataset and one gold table per report, each with the lake prefix it reads", () => {
    // Act
    const tables = catalogTables(config).map((t) => [`${t.layer}.${t.name}`, t.prefix]);

    // Assess
    expect(tables).toEqual([
      ["bronze.customers", "restricted/bronze/backend/customers/"],
      ["bronze.orders", "bronze/backend/orders/"],
      ["bronze.lab_results", "restricted/bronze/files/lab_results/"],
      ["bronze.user_events", "bronze/streams/user_events/"],
      ["bronze.user_utm", "bronze/streams/user_utm/"],
      ["bronze.ga_events", "bronze/ga/ga_events/"],
      ["silver.customers", "silver/customers/"],
      ["silver.orders", "silver/orders/"],
      ["silver.lab_results", "silver/lab_results/"],
      ["silver.user_events", "silver/user_events/"],
      ["silver.user_utm", "silver/user_utm/"],
      ["silver.ga_events", "silver/ga_events/"],
      ["gold.customer_activity", "gold/customer_activity/"],
      ["gold.daily_kpis", "gold/daily_kpis/"],
      ["gold.results_by_region", "gold/results_by_region/"],
    ]);
  });

  it("declares each table's Glue definition in its own layer", () => {
    for (const table of catalogTables(config)) {
      const definition = table.definition("b");
      expect(definition).toMatchObject({ database: table.layer, name: table.name });
      expect(definition.location.startsWith(`s3://b/${table.prefix}`)).toBe(true);
    }
  });
});
