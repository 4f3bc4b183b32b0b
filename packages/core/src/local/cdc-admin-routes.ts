/**
 * Local-only admin routes for CDC, served on the local platform's loopback port (they do not exist on AWS):
 * `GET /_local/cdc/status` lists every table's offset, `POST /_local/cdc/snapshot/{source}` asks for a snapshot
 * of some or all tables and starts a poll. `tributary cdc status` and `tributary snapshot` talk to these, to a
 * running `tributary dev` or to a platform they start themselves.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { z } from "zod";
import { CdcError, describeOffset, listOffsets, loadOffset, requestSnapshot, sourceNamed, tablesNamed } from "../cdc";
import type { Ports } from "../platform";
import type { LocalRoute } from "./http-server";

export const CDC_STATUS_PATH = "/_local/cdc/status";
export const CDC_SNAPSHOT_PATH = "/_local/cdc/snapshot";

const SnapshotRequestSchema = z.object({ tables: z.array(z.string()).optional() }).strict();

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * @example routes.push(...cdcAdminRoutes(ports, (name) => platform.runSchedule(name), onError));
 */
export function cdcAdminRoutes(ports: Ports, runSchedule: (name: string) => Promise<void>, onError: (error: unknown) => void): LocalRoute[] {
  return [
    {
      method: "GET",
      path: CDC_STATUS_PATH,
      invoke: async () => json(200, { offsets: (await listOffsets(ports)).map((o) => describeOffset(o, Date.now())) }),
    },
    {
      method: "POST",
      path: `${CDC_SNAPSHOT_PATH}/{source}`,
      invoke: async (event: APIGatewayProxyEventV2) => {
        try {
          const source = sourceNamed(ports.config, event.pathParameters?.source ?? "");
          const parsed = SnapshotRequestSchema.safeParse(event.body ? JSON.parse(event.body) : {});
          if (!parsed.success) return json(400, { error: `snapshot: ${parsed.error.issues.map((i) => i.message).join("; ")}` });
          const tables = tablesNamed(source, parsed.data.tables).map((t) => t.name);
          for (const table of tables) await requestSnapshot(ports, await loadOffset(ports, source.name, table), "requested", false);
          // The poll runs in the background (the schedule's own run, never two at once); callers follow the status.
          void runSchedule(`cdc-poll-${source.name}`).catch(onError);
          return json(202, { source: source.name, tables });
        } catch (error) {
          if (error instanceof CdcError || error instanceof SyntaxError) return json(400, { error: error.message });
          throw error;
        }
      },
    },
  ];
}
