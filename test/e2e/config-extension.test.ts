/**
 * "Adding a table, file feed or event stream is a config change, not new code": a fixture config declares a
 * stream and a feed the code has never seen, and both work end to end — HTTP → bronze, landing file → bronze.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "@tributary/core/config";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const fixture: ConfigInput = {
  streams: [
    {
      name: "checkout_clicks",
      idColumn: "click_id",
      columns: { click_id: { type: "string", nullable: false }, clicked_at: { type: "timestamp", nullable: false }, basket_value: "decimal(8,2)", items: "int" },
      partitionTime: "clicked_at",
    },
  ],
  feeds: [
    {
      name: "sensor_readings",
      format: { type: "jsonl" },
      columns: { sensor_id: { type: "string", nullable: false }, read_at: { type: "timestamp", nullable: false }, celsius: "double", ok: "boolean" },
      partitionTime: "read_at",
    },
  ],
};

describe("a config-only extension", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ config: fixture });
  });
  afterAll(async () => platform?.dispose());

  it("accepts and lands a newly declared stream", async () => {
    // Act
    const answer = await platform.post("/v1/streams/checkout_clicks/records", {
      records: [
        { click_id: "k1", clicked_at: "2026-11-01T09:00:00Z", basket_value: "19.90", items: 2 },
        { click_id: "k2", clicked_at: "2026-11-01T09:30:00Z", basket_value: 5, items: "1" },
      ],
    });
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.checkout_clicks", 2);

    // Assess
    expect(answer.status).toBe(200);
    expect(landed).toBe(2);
    const rows = await platform.query("SELECT click_id, basket_value, items, typeof(basket_value) AS t FROM bronze.checkout_clicks ORDER BY click_id");
    expect(rows).toEqual([
      { click_id: "k1", basket_value: "19.90", items: 2, t: "DECIMAL(8,2)" },
      { click_id: "k2", basket_value: "5.00", items: 1, t: "DECIMAL(8,2)" },
    ]);
  });

  it("ingests a newly declared JSON Lines feed, quarantining bad lines", async () => {
    // Prepare
    const lines = [
      JSON.stringify({ sensor_id: "s1", read_at: "2026-11-01T10:00:00Z", celsius: 21.5, ok: true }),
      "{broken json",
      JSON.stringify({ sensor_id: "s2", read_at: "2026-11-01T11:00:00Z", celsius: "hot" }),
      JSON.stringify({ sensor_id: "s3", read_at: "2026-11-01T12:00:00Z", celsius: -3, ok: "false" }),
    ];

    // Act
    await platform.ports.lake.put("landing/sensor_readings/2026/11/01/readings.jsonl", lines.join("\n"));
    const landed = await platform.waitForCount("SELECT count(*) FROM bronze.sensor_readings", 2);
    const quarantined = await platform.waitForCount("SELECT count(*) FROM quarantine.sensor_readings", 2);

    // Assess
    expect({ landed, quarantined }).toEqual({ landed: 2, quarantined: 2 });
    const rows = await platform.query("SELECT sensor_id, celsius, ok, hour FROM bronze.sensor_readings ORDER BY sensor_id");
    expect(rows).toEqual([
      { sensor_id: "s1", celsius: 21.5, ok: true, hour: 10 },
      { sensor_id: "s3", celsius: -3, ok: false, hour: 12 },
    ]);
    const reasons = (await platform.query("SELECT _reason FROM quarantine.sensor_readings ORDER BY _origin")).map((r) => r._reason);
    expect(reasons).toEqual([expect.stringContaining("line is not JSON"), 'celsius: expected a finite number, got "hot"']);
  });
});
