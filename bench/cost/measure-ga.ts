/**
 * The GA path, measured: generated GA4 hits through the wired ga-proxy handler (an API Gateway v2 event each), the
 * queued hits through ga-bronze in full batches and in batches of 10 (so a batch's fixed cost separates from a
 * hit's), through ga-forward in batches of its wired size and of 1 (to a fake Google in another process), and the
 * bronze announcements through link. A warm-up round runs first and is not measured, as a warm container would be.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { seededRandom } from "../../packages/core/src/cdc/embedded-changes";
import type { OutgoingMessage } from "../../packages/core/src/platform";
import { openEnvironment, GA_SECRET, sqsEventOf, type CostEnvironment } from "./environment";
import { MeasurementError } from "./errors";
import { startFakeGoogleProcess } from "./helper-processes";
import { invokeMeasured, SampleBuilder, type WiredFunction } from "./invoke-measured";
import type { MeasuredGa } from "./measured";
import { measureLink } from "./measure-link";
import { fitWork, type WorkSample } from "./work";

export interface GaMeasurement {
  measured: MeasuredGa;
  samples: Record<"proxy" | "bronze" | "forward" | "link", WorkSample[]>;
}

/** GA4 hits like a site's page views: a few thousand visitors, one in five logged in, one event per hit. */
function hitEvents(count: number, measurementId: string, seed: number): APIGatewayProxyEventV2[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const now = new Date();
  return Array.from({ length: count }, (_, i) => {
    const visitor = pick(2000);
    const body = {
      client_id: `${1_000_000 + visitor}.${1_700_000_000 + visitor}`,
      ...(visitor % 5 === 0 ? { user_id: String(visitor % 997) } : {}),
      events: [{ name: "page_view", params: { page_location: `https://example.com/kits/${pick(40)}?utm_source=news`, session_id: String(visitor * 7 + (i % 3)), engagement_time_msec: 100 + pick(900) } }],
    };
    return {
      version: "2.0",
      routeKey: "POST /mp/collect",
      rawPath: "/mp/collect",
      rawQueryString: `measurement_id=${measurementId}&api_secret=${GA_SECRET}`,
      headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" },
      queryStringParameters: { measurement_id: measurementId, api_secret: GA_SECRET },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        accountId: "000000000000",
        apiId: "cost",
        domainName: "collect.example.com",
        domainPrefix: "collect",
        http: { method: "POST", path: "/mp/collect", protocol: "HTTP/1.1", sourceIp: `203.0.113.${visitor % 250}`, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" },
        requestId: `r-${i}`,
        routeKey: "POST /mp/collect",
        stage: "$default",
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
    };
  });
}

/** Runs `messages` through a queue consumer in batches of `size`, one measured invocation per batch. */
async function batches(env: CostEnvironment, fn: WiredFunction, queue: string, messages: readonly OutgoingMessage[], size: number): Promise<WorkSample> {
  const sample = new SampleBuilder();
  for (let i = 0; i < messages.length; i += size) {
    const batch = messages.slice(i, i + size);
    sample.add(await invokeMeasured(env.counting, fn, sqsEventOf(queue, batch)), batch.length);
  }
  return sample.build();
}

/** Counts the requests to Google (the forwarder uses the global fetch). */
function countGoogleRequests(env: CostEnvironment, endpoint: string): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (String(input instanceof Request ? input.url : input).startsWith(endpoint)) env.counting.add("googleRequests", 1);
    return original(input, init);
  }) as typeof fetch;
  return () => void (globalThis.fetch = original);
}

interface Round {
  proxy: WorkSample;
  bronze: WorkSample[];
  forward: WorkSample[];
  link: WorkSample[];
  queued: OutgoingMessage[];
  rowsLanded: number;
  bronzeBytes: number;
}

async function round(env: CostEnvironment, hits: number, seed: number, linkRecords: number): Promise<Round> {
  const [proxy, bronze, forward] = [await env.load("ga-proxy"), await env.load("ga-bronze"), await env.load("ga-forward")];
  const measurementId = env.config.ga!.measurementIds[0]!;
  const proxySample = new SampleBuilder();
  for (const event of hitEvents(hits, measurementId, seed)) {
    const call = await invokeMeasured(env.counting, proxy, event);
    if ((call.result as { statusCode?: number }).statusCode !== 204) throw new MeasurementError(`cost: ga-proxy answered ${JSON.stringify(call.result)}`);
    proxySample.add(call, 1);
  }
  const queued = env.counting.takeMessages("ga-hits");
  const toForward = env.counting.takeMessages("ga-forward");
  if (queued.length !== hits || toForward.length !== hits) throw new MeasurementError(`cost: ${hits} hits queued ${queued.length} for bronze and ${toForward.length} to forward`);
  // Most hits in full batches; the rest in batches of 10, to separate a batch's fixed cost from a hit's.
  // (Fewer hits than two wired batches, as in the warm-up, get smaller "full" batches.)
  const wiredBatch = env.wiring.functions.find((f) => f.name === "ga-bronze")!.triggers.find((t) => t.kind === "queue")!.batchSize;
  const bronzeBatch = Math.max(1, Math.min(wiredBatch, Math.floor(hits * 0.4)));
  const split = Math.floor((hits * 0.8) / bronzeBatch) * bronzeBatch;
  const full = await batches(env, bronze, "ga-hits", queued.slice(0, split), bronzeBatch);
  const small = await batches(env, bronze, "ga-hits", queued.slice(split), 10);
  const events = env.counting.takeEvents();
  const rowsLanded = events.reduce((n, e) => n + (e.detailType === "record.ingested" && (e.detail as { part?: number }).part === 0 ? Number((e.detail as { landed?: number }).landed ?? 0) : 0), 0);
  const forwardBatch = env.wiring.functions.find((f) => f.name === "ga-forward")!.triggers.find((t) => t.kind === "queue")!.batchSize;
  const forwardSplit = Math.floor((hits * 0.8) / forwardBatch) * forwardBatch;
  const forwardSamples = [await batches(env, forward, "ga-forward", toForward.slice(0, forwardSplit), forwardBatch), await batches(env, forward, "ga-forward", toForward.slice(forwardSplit), 1)];
  const link = await measureLink(env, events, linkRecords);
  return { proxy: proxySample.build(), bronze: [full, small], forward: forwardSamples, link, queued, rowsLanded, bronzeBytes: full.requests.s3BytesWritten / full.items };
}

/**
 * @example const { measured } = await measureGa({ hits: 3000, linkRecords: 3000, log: console.error });
 */
export async function measureGa(options: { hits: number; linkRecords: number; log: (line: string) => void }): Promise<GaMeasurement> {
  const google = await startFakeGoogleProcess();
  const env = await openEnvironment(["ga_forward_status", "link_graph", "realtime_reports"], { settings: { gaEndpoint: google.endpoint } });
  const restoreFetch = countGoogleRequests(env, google.endpoint);
  try {
    options.log("  ga: warm-up round (not measured)…");
    await round(env, 600, 0x6a01, 600);
    env.counting.reset();
    options.log(`  ga: ${options.hits} hits through ga-proxy, ga-bronze, ga-forward and link…`);
    const r = await round(env, options.hits, 0x6a02, options.linkRecords);
    const hitBytes = r.queued.reduce((n, m) => n + Buffer.byteLength(m.body), 0) / r.queued.length;
    return {
      measured: {
        proxy: fitWork([r.proxy]),
        bronze: fitWork(r.bronze),
        forward: fitWork(r.forward),
        link: fitWork(r.link),
        rowsPerHit: r.rowsLanded / options.hits,
        hitBytes,
        bronzeBytesPerHit: r.bronzeBytes,
      },
      samples: { proxy: [r.proxy], bronze: r.bronze, forward: r.forward, link: r.link },
    };
  } finally {
    restoreFetch();
    await env.close();
    await google.stop();
  }
}
