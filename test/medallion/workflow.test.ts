/**
 * The medallion workflow run locally from its ASL definition (aws-local-stepfunctions), over a lake holding the
 * gold example's bronze and dynalite holding the link tables: silver and gold get published and announced; a run
 * killed mid-way and rerun ends with exactly the tables of an uninterrupted run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, datasets, parseConfig } from "@tributary/core/config";
import { datasetPrefix, type LakeStore } from "@tributary/core/lake";
import { linkAnnouncement, linkContext } from "@tributary/core/link";
import { runMedallionLocally, startLocalDynamo, type LocalDynamo } from "@tributary/core/local";
import { GOLD_UPDATED, medallionDefinition, MEDALLION_TASKS } from "@tributary/core/medallion";
import type { BusEvent, Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { LINK_TABLES } from "../link/link-harness";
import { goldenFiles } from "../support/golden";
import { land, tableRows, type Batch } from "./medallion-harness";

const config = parseConfig(shipped);
const golden = goldenFiles(join(import.meta.dirname, "golden"));
const SECRETS: Record<string, string> = { TOKENISE_KEY: "test-tokenise-key-0123456789", LINK_HASH_KEY: "test-link-hash-key-0123456789" };

let dynamo: LocalDynamo;
const dirs: string[] = [];
beforeAll(async () => {
  // The link tables (entity roots) and the workflow's lease table.
  dynamo = await startLocalDynamo({ tables: [...LINK_TABLES, { name: "workflow_state", partitionKey: "pk" }] });
});
afterAll(async () => {
  await dynamo.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function lakeWithBronze(events: BusEvent[] = []): Promise<{ ports: Ports; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-workflow-"));
  dirs.push(dir);
  const ports: Ports = { ...cdcPorts(config, dir, dynamo.doc, events), secrets: { get: async (name) => SECRETS[name as string] } };
  const input = await golden.readGoldenInput<{ silver: Record<string, Batch[]> }>("gold-example");
  for (const [name, batches] of Object.entries(input.silver)) for (const batch of batches) await land(ports, datasetNamed(config, name), batch);
  // The link step over all of it (as record.ingested would have triggered), so silver gets real entities.
  const ctx = linkContext(ports);
  for (const name of Object.keys(input.silver)) {
    const dataset = datasetNamed(config, name);
    const files: string[] = [];
    for await (const o of ports.lake.list(datasetPrefix(dataset, "bronze"))) files.push(o.key);
    await linkAnnouncement(ports, ctx, { dataset: name, source: dataset.source, batchId: "fixture", files, landed: 0, quarantined: 0, linkKeysComplete: false, part: 0, records: [] });
  }
  return { ports, dir };
}

/** Every silver and gold table's rows, minus the version-specific nothing: silver and gold rows are content only. */
async function allTables(ports: Ports, dir: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const d of datasets(config)) out[`silver.${d.name}`] = await tableRows(ports, dir, "silver", d.name, "*");
  for (const r of config.reports) out[`gold.${r.name}`] = await tableRows(ports, dir, "gold", r.name, "*");
  return out;
}

describe("medallion workflow (local Step Functions)", () => {
  it("has one Task per step, each resolved to the step's resource", () => {
    const definition = JSON.stringify(medallionDefinition((task) => `arn:test:${task}`));
    for (const task of MEDALLION_TASKS) expect(definition).toContain(`"Resource":"arn:test:${task}"`);
  });

  it("publishes silver and gold and announces gold.updated; a second run over the same bronze changes nothing", async () => {
    // Prepare
    const events: BusEvent[] = [];
    const { ports, dir } = await lakeWithBronze(events);

    // Act
    const first = await runMedallionLocally(ports);
    const tables = await allTables(ports, dir);
    const second = await runMedallionLocally(ports);

    // Assess
    expect(first.status).toBe("SUCCEEDED");
    expect(second.status).toBe("SUCCEEDED");
    expect((first.output as { goldPublished: string[] }).goldPublished.sort()).toEqual(config.reports.map((r) => r.name).sort());
    expect((second.output as { silverPublished: string[]; goldPublished: string[] })).toMatchObject({ silverPublished: [], goldPublished: [] });
    expect(events.filter((e) => e.detailType === GOLD_UPDATED).map((e) => e.detail.report).sort()).toEqual(config.reports.map((r) => r.name).sort());
    expect(tables["silver.orders"]).toHaveLength(9);
    expect(tables["gold.customer_activity"]).toHaveLength(8);
    expect(await allTables(ports, dir)).toEqual(tables);
  });

  it("leaves no raw PII in silver or gold: no seeded email, name, birth date or lab value in any table", async () => {
    // Prepare: a customer and a lab result with values that appear nowhere else.
    const { ports, dir } = await lakeWithBronze();
    const seeded = { email: "pia.private@example.org", name: "Pia Privatperson", birth: "1975-05-05", lab: "987.654" };
    await land(ports, datasetNamed(config, "customers"), {
      batch: "pii",
      changes: [{ lsn: "0000002A000000000009", seqval: "0000002A000000000009", op: "insert", row: { customer_id: 77, email: seeded.email, full_name: seeded.name, date_of_birth: seeded.birth, country: "NL" } }],
    });
    await land(ports, datasetNamed(config, "lab_results"), {
      batch: "pii-lab",
      records: [{ recordId: "lab:pii", ingestedAt: "2026-11-06T00:00:00Z", row: { kit_barcode: "KIT-77", test_code: "B12", result_value: seeded.lab, reported_at: "2026-11-05T10:00:00Z" } }],
    });

    // Act
    const run = await runMedallionLocally(ports);

    // Assess: every value of every silver and gold table, as text.
    expect(run.status).toBe("SUCCEEDED");
    const text = JSON.stringify(await allTables(ports, dir));
    expect(text).toContain("KIT-77"); // the rows are there…
    for (const value of Object.values(seeded)) expect(text).not.toContain(value); // …their PII is not
  });

  it("a run killed mid-way and rerun ends with the same silver and gold as an uninterrupted run, with no duplicates", async () => {
    // Prepare: a reference run, and a second lake whose run is aborted once two silver tables were published.
    const reference = await lakeWithBronze();
    await runMedallionLocally(reference.ports);
    const expected = await allTables(reference.ports, reference.dir);
    const victim = await lakeWithBronze();
    const controller = new AbortController();
    let switched = 0;
    const lake = victim.ports.lake;
    const counting: LakeStore = Object.assign(Object.create(lake) as LakeStore, {
      put: async (...args: Parameters<LakeStore["put"]>) => {
        const written = await lake.put(...args);
        if (args[0].endsWith("_current.json") && (switched += 1) === 2) controller.abort();
        return written;
      },
    });

    // Act
    const killed = await runMedallionLocally({ ...victim.ports, lake: counting }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300)); // steps already running finish on their own, as Lambdas would
    const rerun = await runMedallionLocally(victim.ports);

    // Assess
    expect(killed.status).toBe("ABORTED");
    expect(rerun.status).toBe("SUCCEEDED");
    const actual = await allTables(victim.ports, victim.dir);
    expect(actual).toEqual(expected);
    const orderIds = (actual["silver.orders"] as { order_id: string }[]).map((o) => o.order_id);
    expect(new Set(orderIds).size).toBe(orderIds.length);
  });
});
