/**
 * `answerReportRequest` over a real link graph and report table on dynalite: API keys with and without the
 * `reports` scope, the JWT claim path of a customer-facing deployment, and 404s for what no record ever named.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetNamed, parseConfig, type TributaryConfig } from "@tributary/core/config";
import { entityIdOf, LinkGraph, linkNodesOf } from "@tributary/core/link";
import type { Ports } from "@tributary/core/platform";
import { answerReportRequest, factsOf, ReportTable, type CustomerReport } from "@tributary/core/reports";
import { hashApiKey } from "@tributary/core/streams";
import type { LocalDynamo } from "../../packages/core/src/local/dynamo";
import shipped from "../../tributary.config";
import { cdcPorts } from "../cdc/cdc-harness";
import { startLinkDynamo } from "../link/link-harness";

const PORTAL_KEY = "portal-key-with-reports";
const WEB_KEY = "web-key-streams-only";
const NOW = new Date("2026-10-01T09:00:10Z");
const APPLIED = new Date("2026-10-01T08:59:00Z");
const MERGED = new Date("2026-10-01T09:00:00Z");

const secrets: Ports["secrets"] = {
  get: async (name) =>
    name === "API_KEYS"
      ? JSON.stringify([
          { client: "portal", sha256: hashApiKey(PORTAL_KEY), reports: true },
          { client: "web", sha256: hashApiKey(WEB_KEY), streams: ["user_events"] },
        ])
      : undefined,
};

const config = parseConfig(shipped);
const jwtConfig = parseConfig({ ...shipped, realtime: { ...shipped.realtime, jwt: { issuer: "https://auth.example.com/", audience: ["reports-api"] } } });

let dynamo: LocalDynamo;
let lakeDir: string;
let ports: Ports;
let jwtPorts: Ports;
/** The entity customer 42's records resolved to, and the entity ids merged into it. */
let survivor: string;
let mergedMembers: string[];

const portsFor = (c: TributaryConfig): Ports => ({ ...cdcPorts(c, lakeDir, dynamo.doc), secrets });

/** Resolves rows the way the link step does: nodes → entity, facts → report table, a touch after a merge. */
async function linkRows(rows: { dataset: string; row: Record<string, unknown> }[]): Promise<void> {
  const graph = new LinkGraph(dynamo.doc, "link_graph");
  const reports = new ReportTable(dynamo.doc, "realtime_reports");
  for (const { dataset, row } of rows) {
    const d = datasetNamed(config, dataset);
    const resolution = await graph.resolve(String(row._record_id), linkNodesOf(d, config.links.keys, row));
    await reports.apply(resolution.entityId, factsOf(config.realtime, d, row), APPLIED);
    // A merge changes the report without a fact of its own: the link step touches the survivor then.
    if (resolution.merged.length > 0) await reports.touch(resolution.entityId, MERGED);
  }
}

beforeAll(async () => {
  dynamo = await startLinkDynamo();
  lakeDir = await mkdtemp(join(tmpdir(), "tributary-serve-"));
  ports = portsFor(config);
  jwtPorts = portsFor(jwtConfig);
  await linkRows([
    {
      dataset: "orders",
      row: { order_id: "8", customer_id: "42", kit_barcode: "kit-0008", amount: "39.90", status: "paid", ordered_at: "2026-10-01 08:01:00+00", _record_id: "orders:8", _lsn: "0000002A000001F00003", _seqval: "0000002A000001F00002", _op: "insert" },
    },
    {
      dataset: "ga_events",
      row: { client_id: "1234.5678", user_id: "42", session_id: "1790000000", event_time: "2026-10-01 08:00:00+00", page_location: "https://shop.example.com/?utm_source=newsletter", is_bot: false, _record_id: "hit-1:0", _ingested_at: "2026-10-01 08:00:02+00" },
    },
    { dataset: "lab_results", row: { kit_barcode: "KIT-0008", test_code: "LDL", reported_at: "2026-10-02 09:30:00+00", _record_id: "b-lab:2", _ingested_at: "2026-10-02 10:00:00+00" } },
  ]);
  const starts = ["customer_id:42", "ga_client_id:1234.5678", "kit_barcode:KIT-0008"].map(entityIdOf).sort();
  survivor = starts[0]!;
  mergedMembers = starts.slice(1);
});
afterAll(async () => {
  await dynamo?.stop();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

describe("answerReportRequest with API keys", () => {
  it("answers 401 without a key and for an unknown key", async () => {
    const missing = await answerReportRequest(ports, { by: "customer", id: "42" }, NOW);
    const unknown = await answerReportRequest(ports, { by: "customer", id: "42", apiKey: "not-a-key" }, NOW);
    expect(missing).toEqual({ status: 401, body: { error: "reports: missing x-api-key header" } });
    expect(unknown).toEqual({ status: 401, body: { error: "reports: unknown API key" } });
  });

  it("answers 403 to a key without the reports scope", async () => {
    const answer = await answerReportRequest(ports, { by: "customer", id: "42", apiKey: WEB_KEY }, NOW);
    expect(answer).toEqual({ status: 403, body: { error: 'reports: API key of client "web" may not read reports' } });
  });

  it("answers 404 for a customer or entity no record named", async () => {
    const customer = await answerReportRequest(ports, { by: "customer", id: "999", apiKey: PORTAL_KEY }, NOW);
    const blank = await answerReportRequest(ports, { by: "customer", id: "  ", apiKey: PORTAL_KEY }, NOW);
    const entity = await answerReportRequest(ports, { by: "entity", id: `ent_${"0".repeat(26)}`, apiKey: PORTAL_KEY }, NOW);
    const malformed = await answerReportRequest(ports, { by: "entity", id: "../etc", apiKey: PORTAL_KEY }, NOW);
    expect(customer).toEqual({ status: 404, body: { error: 'reports: no customer "999"' } });
    expect([blank.status, entity.status, malformed.status]).toEqual([404, 404, 404]);
  });

  it("answers the linked report of a customer: orders, kits, results and web activity of one entity", async () => {
    // Act
    const answer = await answerReportRequest(ports, { by: "customer", id: "42", apiKey: PORTAL_KEY }, NOW);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      entity_id: survivor,
      customer_ids: ["42"],
      as_of: "2026-10-01T09:00:00.000Z",
      freshness_seconds: 10,
      orders: { count: 1, spend: "39.90", by_status: { paid: 1 }, last_ordered_at: "2026-10-01T08:01:00.000Z" },
      kits: [{ kit_barcode: "KIT-0008", status: "results_ready", order_id: "8", results: 1 }],
      lab_results: { ready: 1, last_reported_at: "2026-10-02T09:30:00.000Z" },
      web: { sessions: 1, visitors: 1, last_seen: "2026-10-01T08:00:00.000Z", first_visit: { at: "2026-10-01T08:00:00.000Z", utm_source: "newsletter" } },
      links: { keys: { customer_id: 1, ga_client_id: 1, kit_barcode: 1 }, merged_entities: 2 },
    } satisfies CustomerReport);
  });

  it("finds the customer by a padded id (the link key's normalisation) and by any of the entity's ids", async () => {
    // Act
    const byCustomer = await answerReportRequest(ports, { by: "customer", id: "42", apiKey: PORTAL_KEY }, NOW);
    const padded = await answerReportRequest(ports, { by: "customer", id: " 42 ", apiKey: PORTAL_KEY }, NOW);
    const bySurvivor = await answerReportRequest(ports, { by: "entity", id: survivor, apiKey: PORTAL_KEY }, NOW);
    const byMerged = await Promise.all(mergedMembers.map((id) => answerReportRequest(ports, { by: "entity", id, apiKey: PORTAL_KEY }, NOW)));

    // Assess
    for (const answer of [padded, bySurvivor, ...byMerged]) expect(answer).toEqual(byCustomer);
  });
});

describe("answerReportRequest behind a JWT authorizer (realtime.jwt set)", () => {
  it("grants the customer named by the token's claim, without an API key", async () => {
    const answer = await answerReportRequest(jwtPorts, { by: "customer", id: "42", jwtClaims: { sub: "u-1", customer_id: "42" } }, NOW);
    expect(answer.status).toBe(200);
    expect((answer.body as CustomerReport).entity_id).toBe(survivor);
  });

  it("refuses another customer's report, a token without the claim, and the entity route", async () => {
    const other = await answerReportRequest(jwtPorts, { by: "customer", id: "42", jwtClaims: { customer_id: "43" } }, NOW);
    const noClaim = await answerReportRequest(jwtPorts, { by: "customer", id: "42", jwtClaims: { sub: "u-1" } }, NOW);
    const entity = await answerReportRequest(jwtPorts, { by: "entity", id: survivor, jwtClaims: { customer_id: "42" } }, NOW);
    const withKeyToo = await answerReportRequest(jwtPorts, { by: "customer", id: "42", apiKey: PORTAL_KEY, jwtClaims: { customer_id: "43" } }, NOW);
    for (const answer of [other, noClaim, entity, withKeyToo]) {
      expect(answer).toEqual({ status: 403, body: { error: "reports: the token's customer_id claim does not grant this report" } });
    }
  });

  it("answers 404 to a token whose customer no record named", async () => {
    const answer = await answerReportRequest(jwtPorts, { by: "customer", id: "999", jwtClaims: { customer_id: "999" } }, NOW);
    expect(answer.status).toBe(404);
  });

  it("still serves server clients by API key when no token came with the request", async () => {
    const withKey = await answerReportRequest(jwtPorts, { by: "customer", id: "42", apiKey: PORTAL_KEY }, NOW);
    const withNothing = await answerReportRequest(jwtPorts, { by: "customer", id: "42" }, NOW);
    expect(withKey.status).toBe(200);
    expect(withNothing.status).toBe(401);
  });

  it("ignores claims when the config sets no JWT authorizer", async () => {
    const answer = await answerReportRequest(ports, { by: "customer", id: "42", jwtClaims: { customer_id: "42" } }, NOW);
    expect(answer.status).toBe(401);
  });
});
