/**
 * The SQL Server adapter against a real SQL Server with CDC (opt-in): set TRIBUTARY_TEST_MSSQL_URL to a
 * connection string of a user database (e.g. tributary_demo) and a login that may enable CDC (sysadmin), with
 * SQL Server Agent running. TRIBUTARY_TEST_MSSQL_TZ names the server clock's Windows time zone (default UTC).
 * See docs/sqlserver-cdc.md and .github/workflows/sqlserver-live.yml. Skipped when the variable is unset.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaptureInstance, ChangeRow } from "../../packages/core/src/cdc/change-source";
import { compareLsn, ZERO_LSN } from "../../packages/core/src/cdc/lsn";
import { closeSqlServerSources, openSqlServerSource, sqlServerPoolConfig } from "../../packages/core/src/cdc/sqlserver-connection";
import type { SqlServerCdcSource } from "../../packages/core/src/cdc/sqlserver-source";
import { parseTimestampMicros } from "../../packages/core/src/config/time";
import { openLakeQuery } from "../../packages/core/src/catalog";
import { loadOffset, pollSource } from "../../packages/core/src/cdc";
import { parseConfig } from "../../packages/core/src/config";
import { startLocalDynamo } from "../../packages/core/src/local/dynamo";
import shipped from "../../tributary.config";
import { cdcPorts } from "./cdc-harness";

const url = process.env.TRIBUTARY_TEST_MSSQL_URL;
const serverTimeZone = process.env.TRIBUTARY_TEST_MSSQL_TZ ?? "UTC";
const SETUP_SCRIPT = new URL("../../scripts/mssql/setup-demo.sql", import.meta.url);
/** How long the asynchronous CDC capture job gets to record the test's changes (it scans the log every ~5 s). */
const CAPTURE_DEADLINE_MS = 90_000;

/** The script's batches, split on sqlcmd's `GO` lines (GO is a client command, not T-SQL). */
function batchesOf(script: string): string[] {
  return script.split(/^\s*GO\s*$/im).map((b) => b.trim()).filter((b) => b.length > 0);
}

function byPosition(a: ChangeRow, b: ChangeRow): number {
  return compareLsn(a.lsn, b.lsn) || a.commandId - b.commandId || compareLsn(a.seqval, b.seqval) || a.op - b.op;
}

describe.skipIf(!url)("SqlServerCdcSource against a real SQL Server", () => {
  let admin: sql.ConnectionPool;
  let source: SqlServerCdcSource;

  beforeAll(async () => {
    admin = await new sql.ConnectionPool(sqlServerPoolConfig(url!)).connect();
    const batches = batchesOf(readFileSync(SETUP_SCRIPT, "utf8"));
    for (let run = 0; run < 2; run += 1) for (const batch of batches) await admin.request().batch(batch); // twice: it must be idempotent
    source = await openSqlServerSource(url!, { serverTimeZone });
  });

  afterAll(async () => {
    await admin?.close();
    await closeSqlServerSources();
  });

  /** Polls until the capture job has moved the max LSN past `before` and the order's delete is readable. */
  async function changesOfOrder(instance: CaptureInstance, before: string | undefined, orderId: string): Promise<ChangeRow[]> {
    const deadline = Date.now() + CAPTURE_DEADLINE_MS;
    for (;;) {
      const max = await source.maxLsn();
      if (max && (!before || compareLsn(max, before) > 0)) {
        const from = before ? await source.incrementLsn(before) : ZERO_LSN;
        const rows = await source.readChanges(instance, { from: { lsn: from }, to: max, limit: 10_000 });
        const mine = rows.filter((r) => r.values.order_id === orderId);
        if (mine.some((r) => r.op === 1)) return mine;
      }
      if (Date.now() > deadline) {
        throw new Error(`the CDC capture job recorded no delete of order ${orderId} within ${CAPTURE_DEADLINE_MS / 1000} s; is SQL Server Agent running?`);
      }
      await sleep(1_000);
    }
  }

  it("reads an insert, an update and a delete back in order, with exact values", { timeout: CAPTURE_DEADLINE_MS + 30_000 }, async () => {
    // Prepare: ids past 2^53 (odd, so no JS number can hold them) that no earlier run used
    const base = (1n << 53n) + BigInt(Date.now()) * 1000n;
    const customerId = String(base + 1n);
    const orderId = String(base + 3n);
    const [orders] = await source.captureInstances("dbo.orders");
    const [customers] = await source.captureInstances("dbo.customers");
    const before = await source.maxLsn();
    const run = (text: string) =>
      admin
        .request()
        .input("customerId", sql.NVarChar(20), customerId)
        .input("orderId", sql.NVarChar(20), orderId)
        .query(text);

    // Act: three transactions
    await run(`BEGIN TRANSACTION;
      INSERT INTO dbo.customers (customer_id, email, full_name, date_of_birth, country, created_at)
      VALUES (CAST(@customerId AS bigint), N'zoe@example.com', N'Zoë Ångström', '1990-05-17', N'SE', '2026-03-14T09:26:50.9999999');
      INSERT INTO dbo.orders (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at)
      VALUES (CAST(@orderId AS bigint), CAST(@customerId AS bigint), N'KIT-LIVE-1', N'DNA-STD', 12345678.90, N'pending',
              '2026-03-14T09:26:51.1234567', '2026-03-14T09:26:51.1234567');
      COMMIT;`);
    await run("UPDATE dbo.orders SET status = N'paid', amount = 0.10, updated_at = '2026-03-14T09:27:02.0000001' WHERE order_id = CAST(@orderId AS bigint);");
    await run("DELETE FROM dbo.orders WHERE order_id = CAST(@orderId AS bigint);");
    const changes = await changesOfOrder(orders!, before, orderId);

    // Assess: operations, order and exact values
    expect(changes.map((r) => r.op)).toEqual([2, 3, 4, 1]);
    expect([...changes].sort(byPosition)).toEqual(changes);
    expect([changes[1]!.lsn, changes[1]!.seqval]).toEqual([changes[2]!.lsn, changes[2]!.seqval]);
    expect(changes[0]!.values).toEqual({
      order_id: orderId,
      customer_id: customerId,
      kit_barcode: "KIT-LIVE-1",
      product_code: "DNA-STD",
      amount: "12345678.90",
      status: "pending",
      ordered_at: "2026-03-14T09:26:51.1234567",
      updated_at: "2026-03-14T09:26:51.1234567",
    });
    expect(changes[2]!.values).toMatchObject({ amount: "0.10", status: "paid", updated_at: "2026-03-14T09:27:02.0000001" });
    expect(changes[3]!.values).toMatchObject({ order_id: orderId, status: "paid" });
    expect(parseTimestampMicros(changes[0]!.values.ordered_at as string)).toBe(1773480411123456n);

    // Assess: commit times, min LSN, inclusive resume
    expect(await source.commitTimeOf(changes[0]!.lsn)).toBe(changes[0]!.commitMicros);
    expect(changes[3]!.commitMicros).toBeGreaterThanOrEqual(changes[0]!.commitMicros);
    expect(compareLsn(await source.minLsn(orders!.name), changes[0]!.lsn)).toBeLessThanOrEqual(0);
    const { lsn, commandId, seqval, op } = changes[2]!;
    const resumed = await source.readChanges(orders!, { from: { lsn, commandId, seqval, op }, to: changes[3]!.lsn, limit: 1 });
    expect(resumed).toEqual([changes[2]]);

    // Assess: the customer's change and its snapshot row
    const customerRows = await source.readChanges(customers!, { from: { lsn: changes[0]!.lsn }, to: changes[0]!.lsn, limit: 100 });
    const inserted = customerRows.find((r) => r.values.customer_id === customerId);
    const expectedCustomer = {
      customer_id: customerId,
      email: "zoe@example.com",
      full_name: "Zoë Ångström",
      date_of_birth: "1990-05-17",
      country: "SE",
      created_at: "2026-03-14T09:26:50.9999999",
    };
    expect(inserted?.values).toEqual(expectedCustomer);
    const page = await source.snapshotPage("dbo.customers", { primaryKey: ["customer_id"], after: [String(base)], limit: 1 });
    expect(page).toEqual([expectedCustomer]);
    expect(await source.countRows("dbo.customers")).toBeGreaterThanOrEqual(1);
  });

  it("lists the demo tables' capture instances with their SQL Server column types", async () => {
    // Act
    const [orders] = await source.captureInstances("dbo.orders");

    // Assess
    expect(orders!.name).toBe("dbo_orders");
    expect(orders!.columns).toEqual(
      expect.arrayContaining([
        { name: "order_id", sqlType: "bigint" },
        { name: "amount", sqlType: "decimal" },
        { name: "ordered_at", sqlType: "datetime2" },
      ]),
    );
  });

  it("polls it end to end into bronze: snapshot, then the changes, with the offset advanced", { timeout: CAPTURE_DEADLINE_MS + 60_000 }, async () => {
    // Prepare: the poller over this SQL Server, into a temp lake with offsets in dynalite
    const dir = await mkdtemp(join(tmpdir(), "tributary-live-"));
    const dynamo = await startLocalDynamo({ tables: [{ name: "cdc_offsets", partitionKey: "pk" }] });
    const config = parseConfig(shipped);
    const ports = cdcPorts(config, dir, dynamo.doc);
    const orderId = String((1n << 53n) + BigInt(Date.now()) * 1000n + 7n);
    try {
      const first = await pollSource(ports, "backend", source);

      // Act: a change after the snapshot, polled until the capture job has recorded it
      await admin.request().input("orderId", sql.NVarChar(20), orderId).query(`INSERT INTO dbo.orders (order_id, customer_id, status, amount)
        VALUES (CAST(@orderId AS bigint), 1, N'pending', 99999999.99)`);
      const deadline = Date.now() + CAPTURE_DEADLINE_MS;
      let landed: Record<string, unknown>[] = [];
      while (landed.length === 0 && Date.now() < deadline) {
        await sleep(2_000);
        await pollSource(ports, "backend", source, { tables: ["orders"] });
        const lake = await openLakeQuery(ports.lake, config);
        landed = await lake.query(`SELECT order_id, amount::VARCHAR AS amount, _op FROM bronze.orders WHERE order_id = '${orderId}'`).finally(() => lake.close());
      }

      // Assess
      expect(first.tables.map((t) => t.snapshotStatus)).toEqual(["done", "done"]);
      expect(landed).toEqual([{ order_id: orderId, amount: "99999999.99", _op: "insert" }]);
      const offset = await loadOffset(ports, "backend", "orders");
      expect(offset.resume?.kind).toBe("after");
      expect(offset.lastError).toBeUndefined();
    } finally {
      await dynamo.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
