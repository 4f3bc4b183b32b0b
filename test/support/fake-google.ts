/**
 * A fake Google Analytics collection host for tests: `POST /mp/collect` and `/debug/mp/collect` on 127.0.0.1,
 * recording every request (query and body) and misbehaving on demand — failing with a status (optionally with
 * `Retry-After`), answering slowly, or resetting the connection — for the next N requests or until `healthy()`.
 *
 * A request counts as `processed` when the fake decided to accept it, even if the client had given up waiting:
 * that is how real Google behaves, and what makes a timed-out request a duplicate risk.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** The status the fake answered (or would have, for a slow answer), or "reset". */
  answer: number | "reset";
  /** Whether Google would have ingested the events (a 2xx on `/mp/collect`). */
  processed: boolean;
}

export interface FakeGoogle {
  /** Base URL to hand to the forwarder as `endpoint`. */
  endpoint: string;
  readonly requests: ReceivedRequest[];
  /** Answers 204 from now on. */
  healthy(): void;
  /** Answers `status` for the next `times` requests (all of them when omitted). */
  failWith(status: number, options?: { times?: number; retryAfter?: string }): void;
  /** Accepts requests but answers only after `delayMs`. */
  slow(delayMs: number, options?: { times?: number }): void;
  /** Reads each request, then destroys the socket without answering. */
  resetConnections(options?: { times?: number }): void;
  /** Events of every processed `/mp/collect` request, in arrival order. */
  processedEvents(): { name: string; params?: Record<string, unknown> }[];
  /** Forgets recorded requests (the mode is kept). */
  clear(): void;
  stop(): Promise<void>;
}

type Mode =
  | { kind: "healthy" }
  | { kind: "failing"; status: number; retryAfter?: string }
  | { kind: "slow"; delayMs: number }
  | { kind: "reset" };

/** Bounds, so a runaway test fails loudly instead of eating memory. */
const MAX_BODY_BYTES = 1_000_000;
const MAX_RECORDED = 10_000;

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: Mode = { kind: "healthy" };
  let remaining = Infinity;

  const setMode = (next: Mode, times?: number) => {
    mode = next;
    remaining = times ?? Infinity;
  };
  /** The mode for this request; a mode limited to N requests falls back to healthy after them. */
  const takeMode = (): Mode => {
    const current = mode;
    if (current.kind !== "healthy" && --remaining <= 0) setMode({ kind: "healthy" });
    return current;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "POST") return answer(res, 405, "fake-google: POST only");
    if (url.pathname !== "/mp/collect" && url.pathname !== "/debug/mp/collect") return answer(res, 404, `fake-google: no route ${url.pathname}`);
    const text = await readBody(req);
    if (text === undefined) return answer(res, 413, `fake-google: body over ${MAX_BODY_BYTES} bytes`);
    if (requests.length >= MAX_RECORDED) return answer(res, 500, `fake-google: log full (${MAX_RECORDED} requests)`);

    const debug = url.pathname === "/debug/mp/collect";
    const current = takeMode();
    const entry: ReceivedRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), body: parseJson(text), answer: 204, processed: false };
    requests.push(entry);
    const ok = () => (debug ? answer(res, 200, JSON.stringify({ validationMessages: [] }), "application/json") : answer(res, 204));

    switch (current.kind) {
      case "healthy":
        entry.answer = debug ? 200 : 204;
        entry.processed = !debug;
        return ok();
      case "failing":
        entry.answer = current.status;
        return answer(res, current.status, JSON.stringify({ error: `fake-google: failing with ${current.status}` }), "application/json", current.retryAfter);
      case "slow": {
        entry.answer = debug ? 200 : 204;
        entry.processed = !debug;
        const timer = setTimeout(() => {
          timers.delete(timer);
          ok();
        }, current.delayMs);
        timers.add(timer);
        return;
      }
      case "reset":
        entry.answer = "reset";
        req.socket.destroy();
        return;
    }
  };
  // A client that vanishes mid-body (it timed out) must not crash the fake.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    healthy: () => setMode({ kind: "healthy" }),
    failWith: (status, options = {}) => setMode({ kind: "failing", status, retryAfter: options.retryAfter }, options.times),
    slow: (delayMs, options = {}) => setMode({ kind: "slow", delayMs }, options.times),
    resetConnections: (options = {}) => setMode({ kind: "reset" }, options.times),
    processedEvents: () =>
      requests
        .filter((request) => request.processed)
        .flatMap((request) => ((request.body as { events?: unknown[] })?.events ?? []) as { name: string; params?: Record<string, unknown> }[]),
    clear: () => void requests.splice(0, requests.length),
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, status: number, body?: string, contentType = "text/plain", retryAfter?: string): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up (timeout) — Google would not notice either
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = contentType;
  if (retryAfter !== undefined) headers["retry-after"] = retryAfter;
  res.writeHead(status, headers);
  res.end(body);
}

/** The body as text, or undefined past the size bound. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
