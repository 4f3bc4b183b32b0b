import { describe, expect, it } from "vitest";
import { glueTable } from "@tributary/core/catalog";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import shipped from "../../tributary.config";

const config = parseConfig(shipped);

describe("glueTable", () => {
  it("derives columns, location and partition projection from the dataset declaration", () => {
    // Act
    const table = glueTable(datasetNamed(config, "orders"), "bronze", "lake-bucket");

    // Assess
    expect(table).toMatchObject({ database: "bronze", name: "orders", location: "s3://lake-bucket/bronze/backend/orders/" });
    expect(table.columns.slice(0, 5)).toEqual([
      { name: "order_id", type: "bigint" },
      { name: "customer_id", type: "bigint" },
      { name: "kit_barcode", type: "string" },
      { name: "product_code", type: "string" },
      { name: "amount", type: "decimal(10,2)" },
    ]);
    expect(table.partitionKeys).toEqual([{ name: "dt", type: "date" }, { name: "hour", type: "int" }]);
    expect(table.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
      "storage.location.template": "s3://lake-bucket/bronze/backend/orders/dt=${dt}/hour=${hour}/",
    });
  });

  it("points PII datasets at the restricted prefix", () => {
    expect(glueTable(datasetNamed(config, "customers"), "bronze", "b").location).toBe("s3://b/restricted/bronze/backend/customers/");
    expect(glueTable(datasetNamed(config, "lab_results"), "quarantine", "b").columns.map((c) => c.name)).toContain("_reason");
  });
});
