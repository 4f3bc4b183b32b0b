/**
 * The local platform's status routes: `GET /status.json` (the `PlatformStatus`) and `GET /status` (the page that
 * draws it). Served on the platform's loopback port next to the wiring's routes; `tributary status` reads the JSON.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { LocalRoute } from "../local/http-server";
import type { PlatformStatus } from "./status";
import { statusPageHtml } from "./status-page";
import { STATUS_JSON_PATH, STATUS_PAGE_PATH } from "./status-paths";

const answer = (contentType: string, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 200,
  // Status is live data: never answer a refresh from a cache.
  headers: { "content-type": contentType, "cache-control": "no-store" },
  body,
});

/**
 * @example routes.push(...statusRoutes(() => platformStatus(ports, { queueDepths: localQueueDepths(queues.values()) })));
 */
export function statusRoutes(readStatus: () => Promise<PlatformStatus>): LocalRoute[] {
  const page = statusPageHtml();
  return [
    { method: "GET", path: STATUS_JSON_PATH, invoke: async () => answer("application/json", JSON.stringify(await readStatus())) },
    { method: "GET", path: STATUS_PAGE_PATH, invoke: async () => answer("text/html; charset=utf-8", page) },
  ];
}
