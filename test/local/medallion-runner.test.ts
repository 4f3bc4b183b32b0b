/**
 * Every local medallion run leaves a run record: a run with nothing to do as SUCCEEDED, a run whose step fails as
 * FAILED with the step's own error (not only the Fail state's generic one), an aborted run as ABORTED — and the
 * aborted run's lease is given back, as the stack's rule does on AWS, so the next run is not skipped.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { LOCAL_BUCKET, runMedallionLocally, startLocalDynamo, type LocalDynamo } from "@tributary/core/local";
import { listWorkflowRuns } from "@tributary/core/ops";
import type { LakeStore } from "@tributary/core/lake";
import type { Ports } from "@tributary/core/platform";
import { wiring } from "@tributary/core/wiring";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { land } from "../medallion/medallion-harness";

const config = parseConfig(shipped);
let dynamo: LocalDynamo;
const dirs: string[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tables: wiring(config, { lakeBucket: LOCAL_BUCKET }).tables });
});
afterAll(async () => {
  await dynamo?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const SECRETS: Record<string, string> = { TOKENISE_KEY: "test-tokenise-key-0123456789", LINK_HASH_KEY: "test-link-hash-key-0123456789" };

/** Ports over an empty lake; without `withSecrets`, a dataset that tokenises PII cannot be merged. */
async function emptyPorts(withSecrets = false): Promise<Ports> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-runner-"));
  dirs.push(dir);
  const ports = cdcPorts(config, dir, dynamo.doc);
  return withSecrets ? { ...ports, secrets: { get: async (name) => SECRETS[name as string] } } : ports;
}

const customer = { lsn: "0000002A000000000001", seqval: "0000002A000000000001", op: "insert" as const, row: { customer_id: 1, email: "a@example.org", country: "NL" } };

describe("runMedallionLocally", () => {
  it("records a run with nothing to merge as SUCCEEDED", async () => {
    // Prepare
    const ports = await emptyPorts();

    // Act
    const result = await runMedallionLocally(ports);

    // Assess
    const [run] = await listWorkflowRuns(ports.lake, "medallion", 5);
    expect(result.status).toBe("SUCCEEDED");
    expect(run).toMatchObject({ workflow: "medallion", status: "SUCCEEDED", silverPublished: [], goldPublished: [], error: null });
    expect(Date.parse(run!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run!.startedAt));
  });

  it("records a run whose merge fails as FAILED, with the failing step's error", async () => {
    // Prepare: customers tokenise PII, and these ports hold no TOKENISE_KEY.
    const ports = await emptyPorts();
    await land(ports, datasetNamed(config, "customers"), { batch: "c1", changes: [customer] });

    // Act
    const result = await runMedallionLocally(ports);

    // Assess
    const runs = await listWorkflowRuns(ports.lake, "medallion", 5);
    expect(result.status).toBe("FAILED");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "FAILED", silverPublished: [], error: { error: "TokeniseKeyMissingError", cause: expect.stringContaining('dataset "customers" tokenises PII') } });
  });

  it("records an aborted run as ABORTED and gives its lease back, so the next run does the work", async () => {
    // Prepare: abort as soon as the first table version is switched.
    const ports = await emptyPorts(true);
    await land(ports, datasetNamed(config, "customers"), { batch: "c1", changes: [customer] });
    const controller = new AbortController();
    const lake: LakeStore = Object.assign(Object.create(ports.lake) as LakeStore, {
      put: async (...args: Parameters<LakeStore["put"]>) => {
        const written = await ports.lake.put(...args);
        if (args[0].endsWith("_current.json")) controller.abort();
        return written;
      },
    });

    // Act
    const killed = await runMedallionLocally({ ...ports, lake }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300)); // the step that was running finishes on its own, as a Lambda would
    const rerun = await runMedallionLocally(ports);

    // Assess
    const [newest, aborted] = await listWorkflowRuns(ports.lake, "medallion", 5);
    expect([killed.status, rerun.status]).toEqual(["ABORTED", "SUCCEEDED"]);
    expect(aborted).toMatchObject({ status: "ABORTED", error: { error: "States.Aborted" }, note: null });
    expect(newest).toMatchObject({ status: "SUCCEEDED", note: null, error: null });
  });
});
