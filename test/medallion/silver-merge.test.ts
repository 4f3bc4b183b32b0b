/**
 * Silver merges as golden files: `golden/silver-*.input.json` holds runs of bronze batches (CDC changes or stream
 * records); each run lands its batches as real bronze Parquet and merges; `*.expected.json` holds the reviewed silver
 * rows after the last run (or, for a case with `eachRun`, after each run), and how many versions were published.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig, type Dataset } from "@tributary/core/config";
import { entityIdOf, linkNode, type LinkNode } from "@tributary/core/link";
import { openLakeQuery, silverColumns } from "@tributary/core/catalog";
import { mergeSilver, readCurrentManifest, symlinkManifestKey, TokeniseKeyMissingError } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { goldenFiles } from "../support/golden";
import { land, tableRows, type Batch, type Change } from "./medallion-harness";

const config = parseConfig(shipped);
const golden = goldenFiles(join(import.meta.dirname, "golden"));
const TOKENISE_KEY = "test-tokenise-key-0123456789";
interface SilverCase {
  dataset: string;
  runs: Batch[][];
  /** Columns shown in the expected file. */
  show: string[];
  /** Show the silver rows after every run, not only after the last. */
  eachRun?: boolean;
}

let dir: string;
let ports: Ports;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-silver-"));
  ports = { ...cdcPorts(config, dir, undefined as never), secrets: { get: async (name) => ({ TOKENISE_KEY, LINK_HASH_KEY: "test-link-hash-key-0123456789" })[name as string] } };
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const landBatch = (dataset: Dataset, batch: Batch) => land(ports, dataset, batch);
const silverRows = (dataset: Dataset, show: string[]) => tableRows(ports, dir, "silver", dataset.name, show);

describe("mergeSilver: golden files", () => {
  it.each(golden.goldenCases("silver-"))("%s", async (name) => {
    // Prepare
    const input = await golden.readGoldenInput<SilverCase>(name);
    const dataset = datasetNamed(config, input.dataset);

    // Act: each run lands its batches, then merges.
    const outcomes = [];
    const rowsAfterRun = [];
    for (const run of input.runs) {
      for (const batch of run) await landBatch(dataset, batch);
      outcomes.push(await mergeSilver(ports, dataset, { entityRoots: new Map() }));
      if (input.eachRun) rowsAfterRun.push(await silverRows(dataset, input.show));
    }

    // Assess
    const published = outcomes.map((o) => o.status);
    const result = input.eachRun ? { published, rowsAfterRun } : { published, rows: await silverRows(dataset, input.show) };
    const { expected, actual } = await golden.goldenExpected(name, result);
    expect(actual).toEqual(expected);
  });
});

describe("mergeSilver", () => {
  it("refuses to tokenise without TOKENISE_KEY, naming the dataset and the secret", async () => {
    const customers = datasetNamed(config, "customers");
    await landBatch(customers, { batch: "b1", changes: [{ lsn: "0000002A000000100001", seqval: "00000000000000000000", op: "snapshot", row: { customer_id: 1, email: "a@example.com" } }] });
    const noKey: Ports = { ...ports, secrets: { get: async (name) => (name === "LINK_HASH_KEY" ? "test-link-hash-key-0123456789" : undefined) } };
    await expect(mergeSilver(noKey, customers, { entityRoots: new Map() })).rejects.toThrow(TokeniseKeyMissingError);
    await expect(mergeSilver(noKey, customers, { entityRoots: new Map() })).rejects.toThrow(/customers.*TOKENISE_KEY/);
  });

  it("tokenises with HMAC-SHA256 under TOKENISE_KEY, masks names and leaves dropped columns out of silver entirely", async () => {
    // Prepare
    const customers = datasetNamed(config, "customers");
    await landBatch(customers, { batch: "b1", changes: [{ lsn: "0000002A000000100001", seqval: "00000000000000000000", op: "snapshot", row: { customer_id: 1, email: "ann@example.com", full_name: "Ann", date_of_birth: "1980-02-03" } }] });

    // Act
    await mergeSilver(ports, customers, { entityRoots: new Map() });

    // Assess
    const [row] = await silverRows(customers, ["email", "full_name"]);
    expect(row).toEqual({ email: createHmac("sha256", TOKENISE_KEY).update("ann@example.com").digest("hex"), full_name: "A**" });
    const manifest = (await readCurrentManifest(ports.lake, "silver", "customers"))!;
    const text = (await Promise.all(manifest.files.map((f) => ports.lake.get(f.key)))).map((b) => Buffer.from(b).toString("latin1")).join("");
    expect(text).not.toContain("date_of_birth");
    expect(text).not.toContain("ann@example.com");
  });

  it("a merge killed before its publish leaves the current version, and the rerun gives the same silver with no duplicates", async () => {
    // Prepare: one published version, then new bronze.
    const orders = datasetNamed(config, "orders");
    const change = (lsn: string, op: Change["op"], row: Record<string, unknown>): Change => ({ lsn, seqval: lsn, op, row });
    const order = (id: number, status: string) => ({ order_id: id, customer_id: 1, amount: "5.00", status });
    await landBatch(orders, { batch: "b1", changes: [change("0000002A000000000001", "insert", order(1, "paid")), change("0000002A000000000002", "insert", order(2, "paid"))] });
    const first = await mergeSilver(ports, orders, { entityRoots: new Map() });
    await landBatch(orders, { batch: "b2", changes: [change("0000002A000000000003", "update_after", order(1, "shipped")), change("0000002A000000000004", "insert", order(3, "paid"))] });
    const dying: Ports = {
      ...ports,
      lake: new Proxy(ports.lake, {
        get: (target, prop, receiver) =>
          prop === "put"
            ? async (key: string, ...rest: unknown[]) => {
                if (key.endsWith("_current.json")) throw new Error("killed before the switch");
                return (target.put as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
              }
            : Reflect.get(target, prop, receiver),
      }),
    };

    // Act
    await expect(mergeSilver(dying, orders, { entityRoots: new Map() })).rejects.toThrow("killed before the switch");
    const between = await silverRows(orders, ["order_id", "status"]);
    const rerun = await mergeSilver(ports, orders, { entityRoots: new Map() });

    // Assess
    expect(between).toEqual([{ order_id: "1", status: "paid" }, { order_id: "2", status: "paid" }]);
    expect((await readCurrentManifest(ports.lake, "silver", "orders"))!.previousVersion).toBe(first.version);
    expect(rerun.rows).toBe(3);
    expect(await silverRows(orders, ["order_id", "status"])).toEqual([{ order_id: "1", status: "shipped" }, { order_id: "2", status: "paid" }, { order_id: "3", status: "paid" }]);
  });

  it("readers see only live rows: a deleted key (kept by the merge as a tombstone) is in no catalog view nor the Athena symlink manifest", async () => {
    // Prepare: order 1 inserted then deleted, order 2 inserted; a late update of order 1 in a second run.
    const orders = datasetNamed(config, "orders");
    const change = (lsn: string, op: Change["op"], id: number, status: string): Change => ({ lsn, seqval: lsn, op, row: { order_id: id, customer_id: 1, amount: "5.00", status } });
    await landBatch(orders, { batch: "b1", changes: [change("0000002A000000000001", "insert", 1, "paid"), change("0000002A000000000002", "insert", 2, "paid"), change("0000002A000000000003", "delete", 1, "paid")] });
    await mergeSilver(ports, orders, { entityRoots: new Map() });
    await landBatch(orders, { batch: "b2", changes: [change("0000002A000000000002", "update_after", 1, "shipped")] });
    await mergeSilver(ports, orders, { entityRoots: new Map() });

    // Act
    const lake = await openLakeQuery(ports.lake, config);
    const viewed = await lake.query("SELECT order_id, status, _op FROM silver.orders ORDER BY order_id").finally(() => lake.close());
    const manifest = (await readCurrentManifest(ports.lake, "silver", "orders"))!;
    const symlinked = Buffer.from(await ports.lake.get(symlinkManifestKey("silver", "orders"))).toString("utf8").trim().split("\n");

    // Assess
    expect(viewed).toEqual([{ order_id: "2", status: "paid", _op: "insert" }]);
    expect(manifest.rows).toBe(1);
    expect(symlinked.map((uri) => uri.slice(uri.indexOf("silver/")))).toEqual(manifest.files.map((f) => f.key));
  });

  it("attaches entity_id as the link step would resolve it: the smallest starting entity of the row's nodes, mapped to its survivor (the start kept only when it differs)", async () => {
    // Prepare: a customer (customer id + hashed email) and an order (customer id + kit), and a merge in the link table.
    const customers = datasetNamed(config, "customers");
    const orders = datasetNamed(config, "orders");
    const hashKey = "test-link-hash-key-0123456789";
    const withKeys: Ports = { ...ports, secrets: { get: async (name) => ({ TOKENISE_KEY, LINK_HASH_KEY: hashKey })[name as string] } };
    await landBatch(customers, { batch: "c1", changes: [{ lsn: "0000002A000000100001", seqval: "00000000000000000000", op: "snapshot", row: { customer_id: 42, email: " Ann@Example.com " } }] });
    await landBatch(orders, { batch: "o1", changes: [{ lsn: "0000002A000000100002", seqval: "0000002A000000100002", op: "insert", row: { order_id: 7, customer_id: 42, kit_barcode: "kit-9", amount: "1.00" } }] });
    const keys = config.links.keys;
    const startOf = (nodes: (LinkNode | undefined)[]) => nodes.filter((n): n is LinkNode => n !== undefined).map((n) => entityIdOf(n.id)).sort()[0]!;
    const customerStart = startOf([linkNode(keys, "customer_id", "42"), linkNode(keys, "email_hash", " Ann@Example.com ", hashKey)]);
    const orderStart = startOf([linkNode(keys, "customer_id", "42"), linkNode(keys, "kit_barcode", "kit-9")]);

    // Act
    await mergeSilver(withKeys, customers, { entityRoots: new Map() });
    await mergeSilver(withKeys, orders, { entityRoots: new Map([[orderStart, "ent_survivor"]]) });

    // Assess
    expect(await silverRows(customers, ["_entity_start", "entity_id"])).toEqual([{ _entity_start: null, entity_id: customerStart }]);
    expect(await silverRows(orders, ["_entity_start", "entity_id"])).toEqual([{ _entity_start: orderStart, entity_id: "ent_survivor" }]);
  });

  it("re-resolves earlier silver rows from their kept start: a start stored as null (it was entity_id) or as itself", async () => {
    // Prepare: customer 42 merged with no entity merges (start not stored), order 7 merged while its start was merged.
    const customers = datasetNamed(config, "customers");
    const orders = datasetNamed(config, "orders");
    const withKeys: Ports = { ...ports, secrets: { get: async (name) => ({ TOKENISE_KEY, LINK_HASH_KEY: "test-link-hash-key-0123456789" })[name as string] } };
    const keys = config.links.keys;
    const customerStart = entityIdOf(linkNode(keys, "customer_id", "42")!.id);
    const orderStart = [customerStart, entityIdOf(linkNode(keys, "kit_barcode", "kit-9")!.id)].sort()[0]!;
    await landBatch(customers, { batch: "c1", changes: [{ lsn: "0000002A000000100001", seqval: "00000000000000000000", op: "snapshot", row: { customer_id: 42 } }] });
    await landBatch(orders, { batch: "o1", changes: [{ lsn: "0000002A000000100002", seqval: "0000002A000000100002", op: "insert", row: { order_id: 7, customer_id: 42, kit_barcode: "kit-9", amount: "1.00" } }] });
    await mergeSilver(withKeys, customers, { entityRoots: new Map() });
    await mergeSilver(withKeys, orders, { entityRoots: new Map([[orderStart, "ent_survivor"]]) });
    await landBatch(customers, { batch: "c2", changes: [{ lsn: "0000002A000000100003", seqval: "0000002A000000100003", op: "insert", row: { customer_id: 43 } }] });
    await landBatch(orders, { batch: "o2", changes: [{ lsn: "0000002A000000100004", seqval: "0000002A000000100004", op: "insert", row: { order_id: 8, customer_id: 43, amount: "2.00" } }] });

    // Act: the customer's start is merged into another entity now; the order's start is its own survivor again.
    await mergeSilver(withKeys, customers, { entityRoots: new Map([[customerStart, "ent_later"]]) });
    await mergeSilver(withKeys, orders, { entityRoots: new Map() });

    // Assess
    const rows = await silverRows(customers, ["customer_id", "_entity_start", "entity_id"]);
    expect(rows[0]).toEqual({ customer_id: "42", _entity_start: customerStart, entity_id: "ent_later" });
    expect(rows[1]).toMatchObject({ customer_id: "43", _entity_start: null });
    expect((await silverRows(orders, ["order_id", "_entity_start", "entity_id"]))[0]).toEqual({ order_id: "7", _entity_start: null, entity_id: orderStart });
  });

  it("merges a version written while silver still stored _version into one with exactly silver's columns", async () => {
    // Prepare: a published version whose file is rewritten with the `_version` column earlier versions carried.
    const orders = datasetNamed(config, "orders");
    const change = (lsn: string, op: Change["op"], id: number, status: string): Change => ({ lsn, seqval: lsn, op, row: { order_id: id, customer_id: 1, amount: "5.00", status } });
    await landBatch(orders, { batch: "b1", changes: [change("0000002A000000000001", "insert", 1, "paid"), change("0000002A000000000002", "insert", 2, "paid")] });
    await mergeSilver(ports, orders, { entityRoots: new Map() });
    const [file] = (await readCurrentManifest(ports.lake, "silver", "orders"))!.files;
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const path = join(dir, file!.key);
    await conn.run(`COPY (SELECT * EXCLUDE (entity_id), 'stale' AS _version, entity_id FROM read_parquet('${path}', hive_partitioning = false)) TO '${path}.old' (FORMAT PARQUET)`);
    await rename(`${path}.old`, path);
    const describe_ = async () => (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}', hive_partitioning = false)`)).getRows().map((r) => String(r[0]));
    expect(await describe_()).toContain("_version");
    await landBatch(orders, { batch: "b2", changes: [change("0000002A000000000003", "update_after", 2, "shipped")] });

    // Act
    await mergeSilver(ports, orders, { entityRoots: new Map() });

    // Assess
    const [next] = (await readCurrentManifest(ports.lake, "silver", "orders"))!.files;
    const columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(dir, next!.key)}', hive_partitioning = false)`)).getRows().map((r) => String(r[0]));
    conn.closeSync();
    db.closeSync();
    expect(columns).toEqual(silverColumns(orders).map((c) => c.name));
    expect(await silverRows(orders, ["order_id", "status"])).toEqual([{ order_id: "1", status: "paid" }, { order_id: "2", status: "shipped" }]);
  });

  it("publishes nothing for a dataset with no bronze yet", async () => {
    expect(await mergeSilver(ports, datasetNamed(config, "orders"), { entityRoots: new Map() })).toMatchObject({ status: "unchanged", version: null, rows: 0 });
    expect(await readCurrentManifest(ports.lake, "silver", "orders")).toBeUndefined();
  });
});
