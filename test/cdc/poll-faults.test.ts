/**
 * The poller when things go wrong: a crash between the bronze write and the offset commit, an offset older
 * than CDC retention, hours of an idle source under cleanup, a schema change with a second capture instance,
 * and two pollers at once.
 */
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import {
  advanceOffset,
  ChangeGenerator,
  loadOffset,
  OffsetConflictError,
  RetentionGapError,
  SourceBusyError,
  acquireLease,
} from "../../packages/core/src/cdc";
import { conflictingDuplicates, sameState, startCdcHarness, stateFromBronze, type CdcHarness } from "./cdc-harness";

const ORDER_COLUMNS = ["order_id", "customer_id", "kit_barcode", "product_code", "amount", "status", "ordered_at", "updated_at"];

/** A DynamoDB client that fails the next `n` offset writes, as a poller dying right before its commit would. */
function crashingOffsetWrites(real: DynamoDBDocumentClient, n: { left: number }): DynamoDBDocumentClient {
  return {
    send: async (command: unknown) => {
      if (command instanceof PutCommand && command.input.Item?.kind === "offset" && n.left > 0) {
        n.left -= 1;
        throw new Error("simulated crash: the process died before the offset commit");
      }
      return real.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
}

describe("pollSource under faults", () => {
  let h: CdcHarness | undefined;
  afterEach(async () => h?.dispose());

  it("loses nothing when it crashes after the bronze write and before the offset commit; duplicates share their change keys", async () => {
    // Prepare: snapshot done, then 60 changes; the first streaming commit of the next poll fails
    h = await startCdcHarness({ batchSize: 8 });
    const generator = new ChangeGenerator(h.source, h.config, { seed: 3 });
    await generator.seed(20);
    await h.poll();
    await generator.step(60);
    const real = h.ports.dynamo;
    const crashes = { left: 1 };
    h.ports = { ...h.ports, dynamo: crashingOffsetWrites(real, crashes) };

    // Act: the crashed poll, then a rerun with a healthy client
    const crashed = await h.poll();
    h.ports = { ...h.ports, dynamo: real };
    const rerun = await h.poll();

    // Assess
    expect(crashes.left).toBe(0);
    expect(crashed.tables.some((t) => t.error?.includes("simulated crash"))).toBe(true);
    expect(rerun.tables.every((t) => t.caughtUp && !t.error)).toBe(true);
    const orders = await h.bronze("orders");
    expect(conflictingDuplicates(orders)).toEqual([]);
    expect(sameState(await h.sourceState("orders"), stateFromBronze(orders, ["order_id"]), ORDER_COLUMNS)).toEqual([]);
  });

  it("fails loudly when the offset is older than the capture instance's min LSN", async () => {
    // Prepare: a change is cleaned up by CDC retention before the poller read it
    h = await startCdcHarness();
    await h.poll();
    await h.source.db.exec("INSERT INTO dbo.customers (customer_id, email) VALUES (9001, 'late@example.com')");
    await h.source.cleanupBelow(await h.source.captureJobTick());

    // Act
    const report = await h.poll();

    // Assess
    const customers = report.tables.find((t) => t.table === "customers")!;
    expect(customers.retentionGap).toMatchObject({ action: "failed" });
    expect(customers.error).toMatch(/^cdc: backend\.customers: offset [0-9A-F]{20} is older than the capture instance's min LSN [0-9A-F]{20}/);
    expect(customers.error).toContain("tributary snapshot backend --tables customers");
    expect((await loadOffset(h.ports, "backend", "customers")).lastError).toBe(customers.error);
    expect((await h.bronze("customers")).some((r) => r.customer_id === "9001")).toBe(false);
    expect(new RetentionGapError("s", "t", "ci", "00000000000000000001", "00000000000000000002").name).toBe("RetentionGapError");
  });

  it("re-snapshots a table past the retention gap when the source says so", async () => {
    // Prepare
    h = await startCdcHarness({ onRetentionGap: "resnapshot" });
    await new ChangeGenerator(h.source, h.config).seed(10);
    await h.poll();
    await h.source.db.exec("DELETE FROM dbo.orders WHERE order_id = 3");
    await h.source.db.exec("INSERT INTO dbo.orders (order_id, customer_id, status) VALUES (501, 1, 'paid')");
    await h.source.cleanupBelow(await h.source.captureJobTick());

    // Act
    const report = await h.poll();

    // Assess
    const orders = report.tables.find((t) => t.table === "orders")!;
    expect(orders).toMatchObject({ retentionGap: { action: "resnapshot" }, snapshotStatus: "done", caughtUp: true });
    expect(orders.error).toBeUndefined();
    expect((await loadOffset(h.ports, "backend", "orders")).snapshot.reason).toBe("retention-gap");
    const rows = await h.bronze("orders");
    expect(rows.some((r) => r.order_id === "501" && r._op === "snapshot")).toBe(true);
  });

  it("keeps a quiet source's offset current through hours of cleanup (heartbeats), then delivers the next change", async () => {
    // Prepare
    h = await startCdcHarness();
    await new ChangeGenerator(h.source, h.config).seed(5);
    await h.poll();

    // Act: 180 idle minutes; the capture job ticks every minute, the poller polls every minute, and cleanup
    // keeps only the last hour of LSNs (SQL Server's retention, shortened)
    const ticks: string[] = [];
    for (let minute = 0; minute < 180; minute += 1) {
      ticks.push(await h.source.captureJobTick());
      if (ticks.length > 60) await h.source.cleanupBelow(ticks[ticks.length - 60]!);
      if (minute % 5 === 0) await h.poll({ tables: ["orders"] });
    }
    await h.source.db.exec("INSERT INTO dbo.orders (order_id, customer_id, status) VALUES (4242, 1, 'paid')");
    const after = await h.poll({ tables: ["orders"] });

    // Assess
    expect(after.tables[0]).toMatchObject({ caughtUp: true, rowsLanded: 1 });
    expect(after.tables[0]!.error).toBeUndefined();
    expect((await h.bronze("orders")).filter((r) => r.order_id === "4242")).toHaveLength(1);
  });

  it("switches to the new capture instance after a schema change, reporting the undeclared column", async () => {
    // Prepare
    h = await startCdcHarness();
    await new ChangeGenerator(h.source, h.config).seed(5);
    await h.poll();
    await h.source.db.exec("UPDATE dbo.orders SET status = 'shipped' WHERE order_id = 1");
    const newer = await h.source.addColumn("dbo.orders", "channel", "string");
    await h.source.db.exec("UPDATE dbo.orders SET status = 'activated', channel = 'web' WHERE order_id = 1");

    // Act
    const report = await h.poll({ tables: ["orders"] });
    await h.source.disableCapture("dbo_orders");
    await h.source.db.exec("UPDATE dbo.orders SET status = 'cancelled' WHERE order_id = 1");
    const later = await h.poll({ tables: ["orders"] });

    // Assess
    expect(report.tables[0]).toMatchObject({ switchedCaptureInstance: { from: "dbo_orders", to: newer.name }, undeclaredColumns: ["channel"] });
    expect(later.tables[0]).toMatchObject({ captureInstance: newer.name, rowsLanded: 2 });
    const statuses = (await h.bronze("orders")).filter((r) => r.order_id === "1" && r._op === "update_after").map((r) => r.status);
    expect(statuses).toEqual(["shipped", "activated", "cancelled"]);
  });

  it("lists capture instances in LSN order even when their start LSNs' counters differ in digit count", async () => {
    // Prepare: the first instance starts at a one-digit counter; move past 17 so the new one's counter has two.
    h = await startCdcHarness();
    while (BigInt(`0x${await h.source.maxLsn()}`) < 17n) await h.source.captureJobTick();

    // Act
    const newer = await h.source.addColumn("dbo.orders", "channel", "string");
    const instances = await h.source.captureInstances("dbo.orders");

    // Assess: as text "0…11" sorts before "0…2"; the poller must see the older instance first.
    expect(instances.map((i) => i.name)).toEqual(["dbo_orders", newer.name]);
  });

  it("never runs two polls of one source, and never lets a stale poller overwrite an offset", async () => {
    // Prepare
    h = await startCdcHarness();
    await h.poll();
    const lease = await acquireLease(h.ports, "backend", 60_000);

    // Act
    const second = h.poll().catch((error: unknown) => error);
    const offset = await loadOffset(h.ports, "backend", "orders");
    await advanceOffset(h.ports, offset, { ...offset, lastPollAt: "2026-01-01T00:00:00.000Z" });
    const stale = advanceOffset(h.ports, offset, { ...offset, lastPollAt: "2026-01-01T00:01:00.000Z" }).catch((error: unknown) => error);

    // Assess
    expect(await second).toBeInstanceOf(SourceBusyError);
    expect(await stale).toBeInstanceOf(OffsetConflictError);
    await lease.release();
    await expect(h.poll()).resolves.toMatchObject({ source: "backend" });
  });
});
