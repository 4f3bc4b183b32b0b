/**
 * The poller against the embedded stand-in, end to end into bronze: snapshot stitched to streaming, bounded
 * batches (including a transaction larger than a batch), every SQL Server operation, and the state rebuilt
 * from bronze equal to the source's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChangeGenerator, loadOffset, type ChangeSource } from "../../packages/core/src/cdc";
import { openLakeQuery } from "../../packages/core/src/catalog";
import { conflictingDuplicates, sameState, startCdcHarness, stateFromBronze, type CdcHarness } from "./cdc-harness";

const ORDER_COLUMNS = ["order_id", "customer_id", "kit_barcode", "product_code", "amount", "status", "ordered_at", "updated_at"];
const CUSTOMER_COLUMNS = ["customer_id", "email", "full_name", "date_of_birth", "country", "created_at"];

describe("pollSource", () => {
  let h: CdcHarness | undefined;
  afterEach(async () => h?.dispose());

  it("snapshots, then streams inserts, updates and deletes; bronze replays to the source's state", async () => {
    // Prepare
    h = await startCdcHarness({ batchSize: 10 });
    const generator = new ChangeGenerator(h.source, h.config);
    await generator.seed(25);

    // Act
    const first = await h.poll();
    const made = await generator.step(40);
    const second = await h.poll();

    // Assess
    expect(first.tables.map((t) => [t.table, t.snapshotRows, t.snapshotStatus])).toEqual([["customers", 25, "done"], ["orders", 25, "done"]]);
    expect(second.tables.every((t) => t.caughtUp && t.lagSeconds === 0)).toBe(true);
    const orders = await h.bronze("orders");
    const ops = new Set(orders.map((r) => r._op));
    expect(made.inserts + made.updates + made.deletes).toBeGreaterThan(30);
    expect([...ops].sort()).toEqual(["delete", "insert", "snapshot", "update_after", "update_before"]);
    expect(sameState(await h.sourceState("orders"), stateFromBronze(orders, ["order_id"]), ORDER_COLUMNS)).toEqual([]);
    const customers = await h.bronze("customers");
    expect(sameState(await h.sourceState("customers"), stateFromBronze(customers, ["customer_id"]), CUSTOMER_COLUMNS)).toEqual([]);
    expect(conflictingDuplicates(orders)).toEqual([]);
  });

  it("announces what landed as record.ingested with the link keys", async () => {
    // Prepare
    h = await startCdcHarness();
    await new ChangeGenerator(h.source, h.config).seed(5);

    // Act
    await h.poll();

    // Assess
    const announced = h.events.filter((e) => e.detailType === "record.ingested" && e.detail.dataset === "orders");
    expect(announced.length).toBeGreaterThan(0);
    expect(announced[0]!.detail).toMatchObject({ source: "backend", landed: expect.any(Number), linkKeysComplete: true });
    const records = announced.flatMap((e) => e.detail.records as { keys: Record<string, string> }[]);
    expect(records[0]!.keys).toHaveProperty("kit_barcode");
  });

  it("stitches a snapshot to streaming without gaps while the source keeps changing", async () => {
    // Prepare: changes happen between snapshot pages
    h = await startCdcHarness({ batchSize: 7 });
    const generator = new ChangeGenerator(h.source, h.config, { seed: 7 });
    await generator.seed(30);
    const source = h.source;
    let pages = 0;
    const changing: ChangeSource = Object.assign(Object.create(source) as ChangeSource, {
      snapshotPage: async (table: string, options: Parameters<ChangeSource["snapshotPage"]>[1]) => {
        pages += 1;
        if (pages % 2 === 0) await generator.step(6);
        return source.snapshotPage(table, options);
      },
    });

    // Act
    await h.poll({}, changing);
    await h.poll();

    // Assess
    expect(pages).toBeGreaterThan(4);
    for (const [table, key, columns] of [["orders", "order_id", ORDER_COLUMNS], ["customers", "customer_id", CUSTOMER_COLUMNS]] as const) {
      const rows = await h.bronze(table);
      expect(sameState(await h.sourceState(table), stateFromBronze(rows, [key]), [...columns])).toEqual([]);
    }
  });

  it("resumes inside a transaction larger than a batch, landing each change once", async () => {
    // Prepare: one transaction updates 23 orders (46 change rows under one LSN); batches of 5
    h = await startCdcHarness({ batchSize: 5 });
    await new ChangeGenerator(h.source, h.config).seed(23);
    await h.poll();
    await h.source.db.exec("UPDATE dbo.orders SET status = 'shipped', amount = amount + 0.01");
    let clock = Date.now();

    // Act: a poll that may start only three batches, then polls until caught up
    const short = await h.poll({ tables: ["orders"], now: () => (clock += 1000), deadline: clock + 6500 });
    const offsetMidway = await loadOffset(h.ports, "backend", "orders");
    const rest = await h.poll();

    // Assess
    expect(short.tables[0]).toMatchObject({ table: "orders", caughtUp: false, batches: expect.any(Number) });
    expect(short.tables[0]!.batches).toBeGreaterThan(0);
    expect(offsetMidway.resume?.kind).toBe("inside");
    expect(rest.tables.find((t) => t.table === "orders")!.caughtUp).toBe(true);
    const updates = (await h.bronze("orders")).filter((r) => r._op === "update_after" || r._op === "update_before");
    expect(updates).toHaveLength(46);
    expect(new Set(updates.map((r) => r._record_id)).size).toBe(46);
  });

  it("lands values exactly: decimals, bigints past 2^53 and microsecond timestamps", async () => {
    // Prepare
    h = await startCdcHarness();
    await h.poll();
    await h.source.db.exec(`INSERT INTO dbo.orders (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at)
      VALUES (9007199254740993, 1, 'KIT-X', 'P-001', 12345678.91, 'paid', '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05.654321')`);

    // Act
    await h.poll();

    // Assess
    const [row] = (await h.bronze("orders")).filter((r) => r._op === "insert");
    expect(row).toMatchObject({ order_id: "9007199254740993", amount: "12345678.91", _op: "insert" });
    expect(String(row!.updated_at)).toContain("03:04:05.654321");
  });

  it("quarantines a change row that breaks the dataset's schema, with its reason", async () => {
    // Prepare: customer_id is declared not nullable, but the source lets a NULL through an update
    h = await startCdcHarness();
    await h.poll();
    await h.source.db.exec("ALTER TABLE dbo.orders ALTER COLUMN customer_id DROP NOT NULL");
    await h.source.db.exec(`INSERT INTO dbo.orders (order_id, customer_id, status) VALUES (77, NULL, 'paid')`);

    // Act
    const report = await h.poll();

    // Assess
    const orders = report.tables.find((t) => t.table === "orders")!;
    expect(orders).toMatchObject({ rowsLanded: 0, rowsQuarantined: 1 });
    const offset = await loadOffset(h.ports, "backend", "orders");
    expect(offset.rowsQuarantined).toBe(1);
    const lake = await openLakeQuery(h.ports.lake, h.config);
    const quarantined = await lake.query("SELECT _reason, _raw FROM quarantine.orders").finally(() => lake.close());
    expect(quarantined).toEqual([{ _reason: expect.stringContaining("customer_id: required"), _raw: expect.stringContaining('"order_id":"77"') }]);
  });
});
