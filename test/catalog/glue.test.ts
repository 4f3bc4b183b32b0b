import { describe, expect, it } from "vitest";
import { glueTable, goldGlueTable, PARQUET_STORAGE, silverGlueTable, versionedGlueTable } from "@tributary/core/catalog";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { goldColumns, symlinkManifestKey } from "@tributary/core/medallion";
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
    expect(table.storage).toEqual({
      inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    });
  });

  it("points PII datasets at the restricted prefix and notes their raw PII columns", () => {
    const customers = glueTable(datasetNamed(config, "customers"), "bronze", "b");

    expect(customers.location).toBe("s3://b/restricted/bronze/backend/customers/");
    expect(customers.columns.find((c) => c.name === "date_of_birth")).toEqual({ name: "date_of_birth", type: "date", comment: "PII, raw (silver: drop)" });
    expect(glueTable(datasetNamed(config, "lab_results"), "quarantine", "b").columns.map((c) => c.name)).toContain("_reason");
  });
});

describe("silverGlueTable", () => {
  it("reads the published version through the symlink manifest: SymlinkTextInputFormat over Parquet, no partitions", () => {
    // Act
    const table = silverGlueTable(datasetNamed(config, "orders"), "lake-bucket");

    // Assess
    expect(table).toMatchObject({ database: "silver", name: "orders", location: "s3://lake-bucket/silver/orders/_symlink_format_manifest/", partitionKeys: [] });
    expect(table.storage).toEqual({
      inputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    });
    expect(table.parameters).toEqual({ EXTERNAL: "TRUE", "tributary.current_version": "s3://lake-bucket/silver/orders/_current.json" });
    expect(`s3://lake-bucket/${symlinkManifestKey("silver", "orders")}`).toBe(`${table.location}manifest`);
  });

  it("declares silver's columns: PII dropped, tokenised and masked as notes on strings, lineage kept, entity_id added", () => {
    const table = silverGlueTable(datasetNamed(config, "customers"), "b");

    expect(table.columns).toEqual([
      { name: "customer_id", type: "bigint" },
      { name: "email", type: "string", comment: "PII, tokenised: HMAC-SHA256 of the value under TOKENISE_KEY, hex (joins and counts still work)" },
      { name: "full_name", type: "string", comment: "PII, masked: first character, then one * per remaining character" },
      { name: "country", type: "string" },
      { name: "created_at", type: "timestamp" },
      { name: "_record_id", type: "string" },
      { name: "_ingested_at", type: "timestamp" },
      { name: "_source", type: "string" },
      { name: "_batch_id", type: "string" },
      { name: "_lsn", type: "string" },
      { name: "_seqval", type: "string" },
      { name: "_commit_ts", type: "timestamp" },
      { name: "_op", type: "string" },
      { name: "_entity_start", type: "string" },
      { name: "entity_id", type: "string" },
    ]);
  });

  it("keeps stream lineage but not the source IP or user agent, has no _op outside CDC, and no _version (the merge derives it)", () => {
    const names = silverGlueTable(datasetNamed(config, "user_events"), "b").columns.map((c) => c.name);

    expect(names).toEqual(expect.arrayContaining(["request_id", "_received_at", "_record_id", "_ingested_at", "entity_id"]));
    expect(names.filter((n) => ["_source_ip", "_user_agent", "_op", "_version"].includes(n))).toEqual([]);
  });
});

describe("goldGlueTable", () => {
  it("declares the report kind's columns under the report's name, read through its symlink manifest", () => {
    // Act
    const table = goldGlueTable({ name: "kpis_eu", kind: "daily_kpis" }, "lake-bucket");

    // Assess
    expect(table).toMatchObject({ database: "gold", name: "kpis_eu", location: "s3://lake-bucket/gold/kpis_eu/_symlink_format_manifest/", partitionKeys: [] });
    expect(table.columns.map((c) => c.name)).toEqual(goldColumns("daily_kpis").map((c) => c.name));
    expect(table.columns.find((c) => c.name === "revenue")).toEqual({ name: "revenue", type: "decimal(18,2)" });
    expect(table.storage.inputFormat).toBe("org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat");
  });

  it("is a symlink table whatever the layer, unlike bronze's plain Parquet", () => {
    expect(versionedGlueTable("gold", "x_report", [], "b").storage).not.toEqual(PARQUET_STORAGE);
  });
});
