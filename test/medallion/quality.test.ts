/**
 * Quality expectations on silver: quarantine moves failing rows out (with the check they failed), fail publishes
 * nothing, warn records counts in the manifest; references and freshness included.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig, type ConfigInput, type TributaryConfig } from "@tributary/core/config";
import { mergeSilver, QualityFailedError, readCurrentManifest } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { land, type Change } from "./medallion-harness";

const SECRETS: Record<string, string> = { TOKENISE_KEY: "test-tokenise-key-0123456789", LINK_HASH_KEY: "test-link-hash-key-0123456789" };
const NO_ROOTS = { entityRoots: new Map<string, string>() };
const insert = (n: number, row: Record<string, unknown>): Change => ({ lsn: `0000002A${String(n).padStart(12, "0")}`, seqval: `0000002A${String(n).padStart(12, "0")}`, op: "insert", row });
const order = (id: number, status: string, extra: Record<string, unknown> = {}) => ({ order_id: id, customer_id: 1, amount: "5.00", status, ...extra });

let dir: string;
const portsFor = (config: TributaryConfig): Ports => ({ ...cdcPorts(config, dir, undefined as never), secrets: { get: async (name) => SECRETS[name as string] } });
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-quality-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));
async function keysUnder(ports: Ports, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of ports.lake.list(prefix)) keys.push(o.key);
  return keys;
}

describe("silver quality expectations", () => {
  it("quarantine: rows with a status outside accepted_values leave silver for quarantine/silver with the check they failed; the files put before the checks ended are deleted", async () => {
    // Prepare
    const config = parseConfig(shipped);
    const ports = portsFor(config);
    const orders = datasetNamed(config, "orders");
    await land(ports, orders, { batch: "b1", changes: [insert(1, order(1, "paid")), insert(2, order(2, "lost")), insert(3, order(3, "shipped"))] });

    // Act
    const outcome = await mergeSilver(ports, orders, NO_ROOTS);

    // Assess
    const manifest = (await readCurrentManifest(ports.lake, "silver", "orders"))!;
    expect(outcome).toMatchObject({ rows: 2, quarantined: 1 });
    expect(manifest.quality?.find((r) => r.check === "accepted_values")).toMatchObject({ action: "quarantine", failures: 1, sample: ["orders:0000002A000000000002:1:0000002A000000000002:2"] });
    const quarantined = await keysUnder(ports, `quarantine/silver/orders/v=${manifest.version}/`);
    expect(quarantined).toHaveLength(1);
    // The version was put while the checks ran, then written again without the quarantined row: only the
    // published version's files (and its tombstones) are left.
    const versionFiles = (await keysUnder(ports, "silver/orders/")).filter((k) => k.includes("/v="));
    expect(versionFiles.length).toBeGreaterThan(0);
    expect(versionFiles.filter((k) => !k.includes(`/v=${manifest.version}/`))).toEqual([]);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`SELECT order_id, status, _quality_check FROM read_parquet('${join(dir, quarantined[0]!)}', hive_partitioning = false)`)).getRowObjectsJson();
    conn.closeSync();
    db.closeSync();
    expect(rows).toEqual([{ order_id: "2", status: "lost", _quality_check: "accepted_values(status)" }]);
  });

  it("fail: a failing expectation publishes nothing (the files put while the checks ran are deleted) and names the dataset, the check and example records", async () => {
    // Prepare
    const input = { ...shipped, quality: [{ dataset: "orders", column: "kit_barcode", check: "unique", action: "fail" }] } as ConfigInput;
    const config = parseConfig(input);
    const ports = portsFor(config);
    const orders = datasetNamed(config, "orders");
    await land(ports, orders, { batch: "b1", changes: [insert(1, order(1, "paid", { kit_barcode: "KIT-1" })), insert(2, order(2, "paid", { kit_barcode: "KIT-1" }))] });

    // Act
    const merging = mergeSilver(ports, orders, NO_ROOTS);

    // Assess
    await expect(merging).rejects.toThrow(QualityFailedError);
    await expect(mergeSilver(ports, orders, NO_ROOTS)).rejects.toThrow(/orders: expectation unique on kit_barcode failed for 2 row\(s\).*nothing was published/);
    expect(await readCurrentManifest(ports.lake, "silver", "orders")).toBeUndefined();
    expect(await keysUnder(ports, "silver/orders/")).toEqual([]);
  });

  it("warn: references to customers missing from silver.customers are counted and kept; skipped while customers has no version", async () => {
    // Prepare
    const config = parseConfig(shipped);
    const ports = portsFor(config);
    const orders = datasetNamed(config, "orders");
    const customers = datasetNamed(config, "customers");
    await land(ports, orders, { batch: "b1", changes: [insert(1, order(1, "paid", { customer_id: 1 })), insert(2, order(2, "paid", { customer_id: 999 }))] });

    // Act
    const before = await mergeSilver(ports, orders, NO_ROOTS);
    await land(ports, customers, { batch: "c1", changes: [insert(1, { customer_id: 1 })] });
    await mergeSilver(ports, customers, NO_ROOTS);
    await land(ports, orders, { batch: "b2", changes: [insert(3, order(3, "paid", { customer_id: 1 }))] });
    const after = await mergeSilver(ports, orders, NO_ROOTS);

    // Assess
    expect(before.quality?.find((r) => r.check === "references")).toMatchObject({ skipped: "silver.customers has no version yet" });
    expect(after.quality?.find((r) => r.check === "references")).toMatchObject({ action: "warn", failures: 1 });
    expect(after.rows).toBe(3);
  });

  it("freshness: a stream whose newest record is older than maxAgeMinutes is reported stale", async () => {
    // Prepare
    const config = parseConfig(shipped);
    const ports = portsFor(config);
    const events = datasetNamed(config, "user_events");
    await land(ports, events, { batch: "s1", records: [{ recordId: "user_events:r1", ingestedAt: "2026-11-01T08:00:00Z", row: { request_id: "r1", request_timestamp: "2026-11-01T08:00:00Z" } }] });

    // Act
    const outcome = await mergeSilver(ports, events, { ...NO_ROOTS, now: new Date("2026-11-01T10:00:00Z") });

    // Assess
    expect(outcome.quality).toEqual([{ check: "freshness", column: null, action: "warn", failures: 1, sample: ["newest 2026-11-01 08:00:00+00"] }]);
    expect(outcome.rows).toBe(1);
  });
});
