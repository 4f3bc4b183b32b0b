/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): routes from the wiring, requests turned
 * into the same event shape Lambda receives, responses mapped back. The client IP in the event is the socket's
 * address, as API Gateway's `requestContext.http.sourceIp` is.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** API Gateway's own payload cap. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface LocalRoute {
  method: string;
  /** `/v1/streams/{stream}/records` */
  path: string;
  invoke(event: APIGatewayProxyEventV2): Promise<unknown>;
}

interface CompiledRoute extends LocalRoute {
  pattern: RegExp;
  names: string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((part) => {
      const m = /^\{(\w+)\+?\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return part.endsWith("+}") ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|.*\+json)|text\/)/i;

/**
 * The payload 2.0 event of one request. `url` is the request's URL, parsed once by the caller (it routed on it).
 *
 * @example toApiGatewayEvent(req, route, { stream: "user_events" }, body, new URL(req.url!, "http://localhost")).routeKey // "POST /v1/streams/{stream}/records"
 */
export function toApiGatewayEvent(req: IncomingMessage, route: CompiledRoute, params: Record<string, string>, body: Buffer, url = new URL(req.url ?? "/", "http://localhost")): APIGatewayProxyEventV2 {
  // Node already lower-cases header names and joins repeated headers with ", " (API Gateway joins with ",").
  const headers: Record<string, string> = {};
  const raw = req.headers;
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  let query: Record<string, string> | undefined;
  if (url.search.length > 1) {
    query = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  }
  const isText = body.length === 0 || TEXT_TYPES.test(headers["content-type"] ?? "application/json");
  const now = new Date();
  const remote = req.socket.remoteAddress ?? "127.0.0.1";
  const routeKey = `${route.method} ${route.path}`;
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    isBase64Encoded: !isText,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "localhost",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: remote.startsWith("::ffff:") ? remote.slice(7) : remote,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
  if (query) event.queryStringParameters = query;
  if (route.names.length > 0) event.pathParameters = params;
  if (body.length > 0) event.body = isText ? body.toString("utf8") : body.toString("base64");
  return event;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(text);
}

/** Maps a handler's result the way API Gateway does: a string or plain object becomes a 200 JSON body. */
function writeResult(res: ServerResponse, result: unknown): void {
  if (result && typeof result === "object" && "statusCode" in result) {
    const r = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string> = {};
    for (const name in r.headers) headers[name] = String(r.headers[name]);
    res.writeHead(r.statusCode ?? 200, headers);
    res.end(r.body === undefined ? "" : r.isBase64Encoded ? Buffer.from(r.body, "base64") : r.body);
    return;
  }
  send(res, 200, result ?? "");
}

/** The route for a method and path; `methodMismatch` when only another method's route matches the path. */
function findRoute(routes: CompiledRoute[], method: string | undefined, path: string): { route: CompiledRoute; match: RegExpExecArray } | "methodMismatch" | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method === method) return { route, match };
    pathMatched = true;
  }
  return pathMatched ? "methodMismatch" : undefined;
}

export interface LocalHttpServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the server on `port` (0 = any free port) on loopback. */
export async function startHttpServer(routes: LocalRoute[], port: number, onError: (error: unknown) => void): Promise<LocalHttpServer> {
  const compiled = routes.map(compile);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const found = findRoute(compiled, req.method, url.pathname);
    if (found === "methodMismatch") return send(res, 405, { message: "Method Not Allowed" });
    if (!found) return send(res, 404, { message: "Not Found" });
    const { route, match } = found;
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1]!)));
    } catch {
      // A malformed %-escape in a path parameter: refused here rather than thrown out of the request listener.
      return send(res, 400, { message: "Bad Request: a path parameter has a malformed %-escape" });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) return send(res, 413, { message: "Request Entity Too Large" });
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      route
        .invoke(toApiGatewayEvent(req, route, params, body, url))
        .then((result) => writeResult(res, result))
        .catch((error: unknown) => {
          onError(error);
          send(res, 500, { message: "Internal Server Error" });
        });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
