/**
 * The demo's stand-in for Google's Measurement Protocol endpoint: a loopback server that answers 204 and counts
 * the events it receives, so the demo shows forwarding end to end on a machine without internet. Used only when
 * TRIBUTARY_GA_ENDPOINT is unset.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface GoogleStandIn {
  endpoint: string;
  /** Events received for hits whose client_id starts with `clientPrefix`. */
  events(clientPrefix: string): number;
  stop(): Promise<void>;
}

export async function startGoogleStandIn(): Promise<GoogleStandIn> {
  const received: string[] = []; // one client_id per event received
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { client_id?: string; events?: unknown[] };
        for (const _ of body.events ?? []) received.push(body.client_id ?? "");
      } catch {
        // not JSON: nothing to count
      }
      res.writeHead(req.url?.startsWith("/mp/collect") ? 204 : 404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events: (clientPrefix) => received.filter((id) => id.startsWith(clientPrefix)).length,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
