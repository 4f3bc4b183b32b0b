/**
 * Streaming reads the next batch while the current one lands (one batch ahead). These tests pin down what that
 * must never change: a batch read ahead is landed only after the batch before it committed its offset, a failed
 * landing discards it, a failed read ahead surfaces only after the batch before it committed, and a deadline
 * drops it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadOffset } from "../../packages/core/src/cdc";
import type { LakeStore } from "../../packages/core/src/lake";
import { sameState, startCdcHarness, stateFromBronze, withReadChanges, type CdcHarness } from "./cdc-harness";

const ORDER_COLUMNS = ["order_id", "customer_id", "kit_barcode", "product_code", "amount", "status", "ordered_at", "updated_at"];


/** The lake with a hook before every bronze Parquet put of orders; `batch` counts distinct batch ids from 1. */
function hookedBronzePuts(real: LakeStore, beforePut: (batch: number) => Promise<void>): LakeStore {
  const batches: string[] = [];
  return new Proxy(real, {
    get(target, property) {
      if (property !== "put") return Reflect.get(target, property, target);
      return async (key: string, ...rest: unknown[]) => {
        const batchId = /bronze\/.*orders\/.*part-(c-[0-9a-f]+)-/.exec(key)?.[1];
        if (batchId) {
          if (!batches.includes(batchId)) batches.push(batchId);
          await beforePut(batches.indexOf(batchId) + 1);
        }
        return (target.put as (...args: unknown[]) => unknown)(key, ...rest);
      };
    },
  });
}

/** 40 inserts into orders (batches of 8: five batches), after the initial snapshot of empty tables. */
async function fortyNewOrders(): Promise<CdcHarness> {
  const h = await startCdcHarness({ batchSize: 8 });
  await h.poll();
  await h.source.db.exec(`INSERT INTO dbo.orders (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at)
    SELECT g, g, 'KIT-' || g, 'P-001', g / 100.0, 'pending', now(), now() FROM generate_series(1, 40) g`);
  return h;
}

describe("streamTable reading one batch ahead", () => {
  let h: CdcHarness | undefined;
  afterEach(async () => h?.dispose());

  it("never advances the offset past batch N-1 when batch N's bronze write fails, and never lands the batch read ahead", async () => {
    // Prepare: batch 3's bronze write fails, but only once batch 4 (read ahead) is in hand
    h = await fortyNewOrders();
    let fourthReadDone: () => void = () => undefined;
    const fourthRead = new Promise<void>((resolve) => (fourthReadDone = resolve));
    let reads = 0;
    const source = withReadChanges(h.source, async (call, run) => {
      const rows = await run();
      reads = call;
      if (call === 4) fourthReadDone();
      return rows;
    });
    const healthyLake = h.ports.lake;
    h.ports = {
      ...h.ports,
      lake: hookedBronzePuts(healthyLake, async (batch) => {
        if (batch !== 3) return;
        await Promise.race([fourthRead, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        throw new Error("simulated: bronze write of batch 3 failed");
      }),
    };

    // Act
    const failed = await h.poll({ tables: ["orders"] }, source);
    const offset = await loadOffset(h.ports, "backend", "orders");
    const landed = await h.bronze("orders");
    h.ports = { ...h.ports, lake: healthyLake };
    const rerun = await h.poll({ tables: ["orders"] });

    // Assess
    expect(reads).toBeGreaterThanOrEqual(4); // batch 4 had been read when batch 3 failed
    expect(failed.tables[0]!.error).toContain("simulated: bronze write of batch 3 failed");
    expect(failed.tables[0]!.rowsLanded).toBe(16);
    expect(landed.map((r) => r.order_id)).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
    expect(offset.rowsLanded).toBe(16);
    expect(offset.resume).toMatchObject({ kind: "inside", position: { lsn: landed.at(-1)!._lsn, seqval: landed.at(-1)!._seqval, op: 2 }, serial: 1 });
    expect(rerun.tables[0]).toMatchObject({ caughtUp: true, rowsLanded: 24 });
    const all = await h.bronze("orders");
    expect(new Set(all.map((r) => r._record_id)).size).toBe(40);
    expect(all).toHaveLength(40);
    expect(sameState(await h.sourceState("orders"), stateFromBronze(all, ["order_id"]), ORDER_COLUMNS)).toEqual([]);
  });

  it("commits the batch before a read ahead that failed, then reports the read's failure", async () => {
    // Prepare: the third read fails (it runs while batch 2 lands)
    h = await fortyNewOrders();
    const source = withReadChanges(h.source, async (call, run) => {
      if (call === 3) throw new Error("simulated: the source went away");
      return run();
    });

    // Act
    const report = await h.poll({ tables: ["orders"] }, source);

    // Assess
    expect(report.tables[0]!.error).toContain("simulated: the source went away");
    expect(report.tables[0]!.rowsLanded).toBe(16);
    expect((await loadOffset(h.ports, "backend", "orders")).rowsLanded).toBe(16);
    expect((await h.bronze("orders")).map((r) => r.order_id)).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
  });

  it("drops the batch read ahead when the deadline passes while the batch before it lands", async () => {
    // Prepare: the clock jumps past the deadline during batch 1's bronze write
    h = await fortyNewOrders();
    let clock = Date.now();
    let reads = 0;
    const source = withReadChanges(h.source, (call, run) => ((reads = call), run()));
    h.ports = { ...h.ports, lake: hookedBronzePuts(h.ports.lake, async () => void (clock += 120_000)) };

    // Act
    const report = await h.poll({ tables: ["orders"], now: () => clock, deadline: clock + 60_000 }, source);

    // Assess
    expect(reads).toBe(2);
    expect(report.tables[0]).toMatchObject({ caughtUp: false, batches: 1, rowsLanded: 8 });
    expect(report.tables[0]!.error).toBeUndefined();
    expect((await loadOffset(h.ports, "backend", "orders")).rowsLanded).toBe(8);
    expect(await h.bronze("orders")).toHaveLength(8);
  });
});
