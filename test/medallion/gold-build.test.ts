/**
 * Gold builds as golden files: `golden/gold-example.input.json` holds bronze batches per dataset and the entities
 * the link tables put them in; silver is merged from them, and each configured report is built and compared with
 * `golden/gold-example-<report>.expected.json` (reviewed rows).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { entityIdOf, linkNode } from "@tributary/core/link";
import { buildGold, mergeSilver, readCurrentManifest } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { goldenFiles } from "../support/golden";
import { land, tableRows, type Batch } from "./medallion-harness";

const config = parseConfig(shipped);
const golden = goldenFiles(join(import.meta.dirname, "golden"));

interface GoldCase {
  silver: Record<string, Batch[]>;
  /** entity → its nodes as [link key, value]: every node's starting entity maps to it. */
  entities: Record<string, [string, string][]>;
}

let dir: string;
let ports: Ports;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-gold-"));
  ports = { ...cdcPorts(config, dir, undefined as never), secrets: { get: async (name) => ({ TOKENISE_KEY: "test-tokenise-key-0123456789", LINK_HASH_KEY: "test-link-hash-key-0123456789" })[name as string] } };
  const input = await golden.readGoldenInput<GoldCase>("gold-example");
  const roots = new Map<string, string>();
  for (const [entity, nodes] of Object.entries(input.entities)) {
    for (const [key, value] of nodes) roots.set(entityIdOf(linkNode(config.links.keys, key, value)!.id), entity);
  }
  for (const [name, batches] of Object.entries(input.silver)) {
    const dataset = datasetNamed(config, name);
    for (const batch of batches) await land(ports, dataset, batch);
    await mergeSilver(ports, dataset, { entityRoots: roots });
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("buildGold: golden files", () => {
  it.each(config.reports.map((r) => r.name))("%s", async (name) => {
    // Act
    const outcome = await buildGold(ports, config.reports.find((r) => r.name === name)!);

    // Assess
    expect(outcome.status).toBe("published");
    const { expected, actual } = await golden.goldenExpected(`gold-example-${name}`, await tableRows(ports, dir, "gold", name, "*"));
    expect(actual).toEqual(expected);
  });

  it("rebuilds nothing while its silver inputs are unchanged, and names the silver versions it was built from", async () => {
    const report = config.reports[0]!;
    const first = await buildGold(ports, report);
    const again = await buildGold(ports, report);
    expect(again).toMatchObject({ status: "unchanged", version: first.version });
    const manifest = (await readCurrentManifest(ports.lake, "gold", report.name))!;
    expect(manifest.consumed.every((c) => /^silver\/[a-z_]+@\d{8}T\d{9}Z-[0-9a-f]+$/.test(c))).toBe(true);
  });
});
