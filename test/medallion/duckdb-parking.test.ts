/**
 * Medallion steps hand their DuckDB database back when they finish: the next step in the process reuses it (a warm
 * Lambda saves creating and closing one), so it must start from an empty catalog; steps running at once get one each.
 */
import { describe, expect, it } from "vitest";
import { openDuckDb } from "@tributary/core/medallion";

const userObjects = async (duck: Awaited<ReturnType<typeof openDuckDb>>) =>
  (await duck.conn.runAndReadAll("SELECT view_name AS name FROM duckdb_views() WHERE NOT internal UNION ALL SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1")).getRows().map((r) => String(r[0]));

describe("openDuckDb: a database handed on between steps", () => {
  it("gives the next step an empty catalog: no table or view of the last step", async () => {
    // Prepare: a step that made a table and views over it, on two connections.
    const first = await openDuckDb();
    await first.conn.run("CREATE TABLE entity_roots AS SELECT 'a' AS entity, 'b' AS root");
    await first.conn.run("CREATE VIEW merged AS SELECT * FROM entity_roots");
    const side = await first.connect();
    await side.run("CREATE VIEW ref_customers AS SELECT 1 AS customer_id");
    expect(await userObjects(first)).toEqual(["entity_roots", "merged", "ref_customers"]);

    // Act
    await first.close();
    const next = await openDuckDb();

    // Assess: the same names can be made again.
    try {
      expect(await userObjects(next)).toEqual([]);
      await next.conn.run("CREATE TABLE entity_roots (entity VARCHAR, root VARCHAR)");
      await next.conn.run("CREATE VIEW merged AS SELECT 1 AS x");
    } finally {
      await next.close();
    }
  });

  it("gives steps running at once a database each", async () => {
    // Prepare
    const [a, b] = await Promise.all([openDuckDb(), openDuckDb()]);

    // Act: both make the same table, with different rows.
    await a.conn.run("CREATE TABLE merged AS SELECT 1 AS x");
    await b.conn.run("CREATE TABLE merged AS SELECT 2 AS x");

    // Assess
    try {
      expect((await a.conn.runAndReadAll("SELECT x FROM merged")).getRows()).toEqual([[1]]);
      expect((await b.conn.runAndReadAll("SELECT x FROM merged")).getRows()).toEqual([[2]]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const after = await openDuckDb();
    try {
      expect(await userObjects(after)).toEqual([]);
    } finally {
      await after.close();
    }
  });

  it("works in UTC whatever the machine's time zone or the last step set, on every connection", async () => {
    // Prepare: each step reads the zone on two connections, then moves the database's zone to Tokyo.
    const zones: unknown[] = [];
    const zoneOf = async (conn: Awaited<ReturnType<typeof openDuckDb>>["conn"]) => (await conn.runAndReadAll("SELECT current_setting('TimeZone'), CAST(TIMESTAMPTZ '2026-11-21 23:30:00+00' AS DATE)::VARCHAR")).getRows()[0];

    // Act
    for (let step = 0; step < 2; step++) {
      const duck = await openDuckDb();
      try {
        zones.push(await zoneOf(duck.conn), await zoneOf(await duck.connect()));
        await duck.conn.run("SET GLOBAL TimeZone = 'Asia/Tokyo'");
      } finally {
        await duck.close();
      }
    }

    // Assess: 23:30 UTC is still the 21st (in Tokyo it would be the 22nd).
    expect(zones).toEqual(Array(4).fill(["UTC", "2026-11-21"]));
  });

  it("closes rather than hands on a database with objects it does not clean up (a macro): the next step never sees them", async () => {
    // Prepare
    const step = await openDuckDb();
    await step.conn.run("CREATE MACRO leftover(x) AS x + 1");

    // Act
    await step.close();
    const next = await openDuckDb();

    // Assess
    try {
      expect((await next.conn.runAndReadAll("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'leftover'")).getRows()).toEqual([[0n]]);
    } finally {
      await next.close();
    }
  });
});
