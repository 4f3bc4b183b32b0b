/**
 * Run by observability.test.ts in a child process whose environment looks like Lambda's to the X-Ray SDK (it
 * reads that once, when it loads): starts the local platform in a temp home, posts one stream record with an
 * `x-correlation-id`, and prints the answer's status and correlation id as one JSON line.
 * Usage: tsx test/functions/traced-request.ts <correlation id>
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@tributary/core/config";
import { parseLocalSettings, startLocalPlatform } from "@tributary/core/local";
import shipped from "../../tributary.config";

const correlationId = process.argv[2] ?? "";
const home = await mkdtemp(join(tmpdir(), "tributary-traced-"));
const platform = await startLocalPlatform({ settings: parseLocalSettings({ TRIBUTARY_HOME: home, TRIBUTARY_PORT: "0", TRIBUTARY_LOG_LEVEL: "SILENT" }), config: parseConfig(shipped) });
try {
  const res = await fetch(`${platform.url}/v1/streams/user_events/records`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": platform.credentials.apiKey, "x-correlation-id": correlationId },
    body: JSON.stringify({ request_id: "traced-1", request_timestamp: "2026-11-20T10:15:00Z", topic: "page_view", user_account_id: "42" }),
  });
  await res.arrayBuffer();
  console.log(JSON.stringify({ status: res.status, correlationId: res.headers.get("x-correlation-id") }));
} finally {
  await platform.stop();
  await rm(home, { recursive: true, force: true });
}
