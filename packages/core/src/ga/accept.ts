/**
 * The GA proxy: authenticate, validate (GA4 limits, UA parameters), strip emails and phone numbers, tag bots,
 * and keep the hit durably (bronze queue, and forward queue when forwarding is on) before answering — so a hit
 * is never lost when Google is down. Google answers 2xx even for malformed payloads; we do not, so senders
 * learn what is wrong.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import { formatTimestamp, nowMicros, parseTimestampMicros } from "../config";
import { CORRELATION_ID_FIELD } from "../ingest";
import type { Ports } from "../platform";
import { truncateIp } from "../streams/client-ip";
import { gaApiSecrets } from "./api-secrets";
import type { GaHit } from "./hit";
import { GA4_MAX_BODY_BYTES, isBotUserAgent, mapUaToGa4, parseUaHit, sanitizeGa4Body, UA_MAX_PAYLOAD_BYTES, validateGa4Body } from "./logic";

export interface GaRequest {
  kind: "ga4" | "ua";
  method: string;
  query: Record<string, string | undefined>;
  body: string;
  contentType?: string;
  sourceIp?: string | null;
  userAgent?: string | null;
  origin?: string;
  /** The request's correlation id, carried in the queued hit (`correlationId`) for the consumers' log lines. */
  correlationId?: string;
}

export interface GaAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Base64 body (the UA pixel). */
  base64?: boolean;
}

/** A 1×1 transparent GIF: what UA's GET /collect answers, so browser pixels keep working. */
const PIXEL = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

const json = (status: number, body: unknown): GaAnswer => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * @example await answerGaRequest(ports, { kind: "ga4", method: "POST", query: { measurement_id, api_secret }, body }) // { status: 204 }
 */
export async function answerGaRequest(ports: Ports, request: GaRequest): Promise<GaAnswer> {
  const ga = ports.config.ga;
  if (!ga) return json(404, { error: "ga: no GA property is configured" });
  const cors = corsHeaders(ga.allowedOrigins, request.origin);
  if (cors === "forbidden") return json(403, { error: `ga: origin ${request.origin} is not allowed` });
  const answer = request.kind === "ga4" ? await acceptGa4(ports, request) : await acceptUa(ports, request);
  return { ...answer, headers: { ...answer.headers, ...cors } };
}

function corsHeaders(allowed: string[], origin: string | undefined): Record<string, string> | "forbidden" {
  if (!origin) return {};
  if (!allowed.includes(origin)) return "forbidden";
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

async function acceptGa4(ports: Ports, request: GaRequest): Promise<GaAnswer> {
  const { measurement_id: measurementId, api_secret: apiSecret } = request.query;
  const expected = measurementId ? (await gaApiSecrets(ports))[measurementId] : undefined;
  if (!measurementId || !apiSecret || !expected || !sameSecret(apiSecret, expected)) {
    return json(401, { error: "ga: unknown measurement_id or wrong api_secret" });
  }
  if (Buffer.byteLength(request.body) >= GA4_MAX_BODY_BYTES) return json(413, { error: `ga: body must be under ${GA4_MAX_BODY_BYTES} bytes` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch (error) {
    return json(400, { error: `ga: body is not valid JSON (${(error as Error).message})` });
  }
  const checked = validateGa4Body(parsed, { now: new Date() });
  if (!checked.ok) return json(400, { error: "ga: hit failed validation", problems: checked.problems });
  const clean = sanitizeGa4Body(checked.body);
  const body = clean.body as Record<string, unknown> & { events: { name: string }[] };
  const arrived = arrival(request);
  // Without timestamp_micros Google stamps events when they reach it: a forward delayed by an outage would
  // land at the wrong time, so the hit is stamped with its arrival here.
  body.timestamp_micros ??= Number(parseTimestampMicros(arrived.receivedAt));
  // A server-side sender may pass its user's IP; it is personal data, so it is truncated like ours.
  if (typeof body.ip_override === "string") {
    const truncated = truncateIp(body.ip_override);
    if (truncated) body.ip_override = truncated;
    else delete body.ip_override;
  }
  const hit: GaHit = {
    ...arrived,
    protocol: "ga4",
    measurementId,
    consent: (body.consent as Record<string, unknown> | undefined) ?? null,
    payload: body,
    events: body.events.map((e) => ({ eventId: randomUUID(), name: e.name })),
    mappedGa4: null,
  };
  await keep(ports, hit, request.correlationId);
  return { status: 204 };
}

async function acceptUa(ports: Ports, request: GaRequest): Promise<GaAnswer> {
  const ga = ports.config.ga!;
  const params = new URLSearchParams(request.method === "GET" ? new URLSearchParams(request.query as Record<string, string>) : request.body);
  if (Buffer.byteLength(params.toString()) > UA_MAX_PAYLOAD_BYTES) return json(413, { error: `ga: UA payload must be at most ${UA_MAX_PAYLOAD_BYTES} bytes` });
  const tid = params.get("tid") ?? "";
  if (!ga.uaPropertyIds.includes(tid)) return json(401, { error: `ga: Universal Analytics property "${tid}" is not configured` });
  const parsed = parseUaHit(params);
  if (!parsed.ok) return json(400, { error: "ga: hit failed validation", problems: parsed.problems });
  const consent = Object.fromEntries(["gcs", "gcd"].filter((k) => parsed.hit[k] !== undefined).map((k) => [k, parsed.hit[k]]));
  const arrived = arrival(request);
  const receivedAt = new Date(Number((parseTimestampMicros(arrived.receivedAt) ?? 0n) / 1000n));
  const hit: GaHit = {
    ...arrived,
    protocol: "ua",
    measurementId: tid,
    consent: Object.keys(consent).length > 0 ? consent : null,
    payload: parsed.hit,
    events: [{ eventId: randomUUID(), name: parsed.hit.t ?? "hit" }],
    mappedGa4: ga.uaForwardTo ? (mapUaToGa4(parsed.hit, ga.uaForwardTo, { receivedAt }) as Record<string, unknown> | null) : null,
  };
  await keep(ports, hit, request.correlationId);
  if (request.method === "GET") return { status: 200, headers: { "content-type": "image/gif", "cache-control": "no-store" }, body: PIXEL, base64: true };
  return { status: 204 };
}

function arrival(request: GaRequest): Pick<GaHit, "v" | "hitId" | "receivedAt" | "sourceIp" | "userAgent" | "isBot"> {
  return {
    v: 1,
    hitId: randomUUID(),
    receivedAt: formatTimestamp(nowMicros()),
    sourceIp: truncateIp(request.sourceIp),
    userAgent: request.userAgent ?? null,
    isBot: isBotUserAgent(request.userAgent ?? null),
  };
}

/** Durable first: both queues acknowledge before the client hears back. */
async function keep(ports: Ports, hit: GaHit, correlationId: string | undefined): Promise<void> {
  const queued = correlationId === undefined ? hit : { ...hit, [CORRELATION_ID_FIELD]: correlationId };
  const message = [{ id: hit.hitId, body: JSON.stringify(queued) }];
  await Promise.all([
    ports.queues.send("ga-hits", message),
    ...(ports.config.ga?.forward ? [ports.queues.send("ga-forward", message)] : []),
  ]);
}
