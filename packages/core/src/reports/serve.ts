/**
 * `GET /v1/reports/customers/{customerId}` and `GET /v1/reports/entities/{entityId}`: the real-time report of a
 * linked entity, with `as_of` and `freshness_seconds`. Server clients use an API key with the `reports` scope; a
 * customer-facing deployment puts a JWT authorizer in front, and the token's customer claim must match the id.
 * Unknown customer or entity → 404.
 */
import { LinkGraph } from "../link/graph";
import { linkNode } from "../link/nodes";
import type { Ports } from "../platform";
import { authorizeReportRead } from "../streams/api-keys";
import { foldReport, type CustomerReport } from "./report";
import { ReportTable } from "./report-table";

export interface ReportRequest {
  by: "customer" | "entity";
  id: string;
  apiKey?: string;
  /** Claims API Gateway's JWT authorizer verified, when the route has one. */
  jwtClaims?: Record<string, unknown>;
}

export interface ReportAnswer {
  status: number;
  body: CustomerReport | { error: string };
}

async function authorize(ports: Ports, request: ReportRequest): Promise<{ ok: true } | { ok: false; answer: ReportAnswer }> {
  const jwt = ports.config.realtime.jwt;
  if (jwt && request.jwtClaims) {
    const claim = request.jwtClaims[jwt.customerClaim];
    if (request.by === "customer" && claim !== undefined && String(claim) === request.id) return { ok: true };
    return { ok: false, answer: { status: 403, body: { error: `reports: the token's ${jwt.customerClaim} claim does not grant this report` } } };
  }
  const auth = await authorizeReportRead(ports, request.apiKey);
  return auth.ok ? { ok: true } : { ok: false, answer: { status: auth.status, body: { error: `reports: ${auth.reason}` } } };
}

/** The current entity a request names, or undefined when there is none. */
async function entityOf(ports: Ports, graph: LinkGraph, request: ReportRequest): Promise<string | undefined> {
  if (request.by === "entity") return /^ent_[0-9a-f]{26}$/.test(request.id) && (await graph.entityExists(request.id)) ? graph.rootOf(request.id) : undefined;
  const { keys } = ports.config.links;
  const customerKey = ports.config.realtime.customerKey;
  const hashKey = keys[customerKey]?.hashed ? await ports.secrets.get("LINK_HASH_KEY") : undefined;
  const node = linkNode(keys, customerKey, request.id, hashKey);
  return node ? graph.entityOfNode(node.id) : undefined;
}

/**
 * @example await answerReportRequest(ports, { by: "customer", id: "42", apiKey }) // { status: 200, body: { entity_id: "ent_…", orders: { count: 2, … } } }
 */
export async function answerReportRequest(ports: Ports, request: ReportRequest, now: Date = new Date()): Promise<ReportAnswer> {
  const auth = await authorize(ports, request);
  if (!auth.ok) return auth.answer;
  const graph = new LinkGraph(ports.dynamo, ports.tableName("link_graph"));
  const entity = await entityOf(ports, graph, request);
  if (entity === undefined) return { status: 404, body: { error: `reports: no ${request.by} ${JSON.stringify(request.id)}` } };
  const members = await graph.membersOf(entity);
  const [nodes, items] = await Promise.all([graph.nodesOf(members), new ReportTable(ports.dynamo, ports.tableName("realtime_reports")).itemsOf(members)]);
  const { realtime, links } = ports.config;
  // Nodes live in the key's namespace: a customerKey with sameAs is stored under its target's name.
  const customerKey = links.keys[realtime.customerKey]?.sameAs ?? realtime.customerKey;
  const report = foldReport(entity, nodes, items, { members: members.length, now, customerKey, excludeFromSpend: realtime.orders?.excludeFromSpend ?? [] });
  return { status: 200, body: report };
}
