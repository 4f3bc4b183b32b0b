/** Small inline configs and a throwaway filesystem lake for the writer tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasetNamed, parseConfig } from "@tributary/core/config";
import { FileSystemLakeStore } from "@tributary/core/lake";

export const config = parseConfig({
  sources: [
    {
      type: "sqlserver",
      name: "backend",
      tables: [
        {
          name: "orders",
          table: "dbo.orders",
          primaryKey: ["order_id"],
          columns: { order_id: { type: "bigint", nullable: false }, amount: "decimal(10,2)", updated_at: "timestamp" },
          partitionTime: "updated_at",
        },
      ],
    },
  ],
  feeds: [
    {
      name: "visits",
      format: { type: "jsonl" },
      columns: { visit_id: { type: "string", nullable: false }, visit_date: "date", email: { type: "string", pii: "tokenise" } },
      partitionTime: "visit_date",
    },
  ],
  streams: [{ name: "clicks", idColumn: "click_id", columns: { click_id: { type: "string", nullable: false }, page: "string" } }],
});

export const orders = datasetNamed(config, "orders");
export const visits = datasetNamed(config, "visits");
export const clicks = datasetNamed(config, "clicks");

/** µs of an ISO instant. */
export const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

export async function tempLake(): Promise<{ root: string; store: FileSystemLakeStore; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "tributary-writer-"));
  return { root, store: new FileSystemLakeStore(root), remove: () => rm(root, { recursive: true, force: true }) };
}
