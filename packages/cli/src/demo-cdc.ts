/**
 * The demo's CDC part: the embedded SQL Server stand-in (seeded on first start) is polled by the cdc-poll
 * schedule, then gets inserts, updates, deletes and — once — a schema change (orders gains a column, so a
 * second capture instance takes over); the next poll lands them, and `cdc status` shows offsets and lag.
 */
import { ChangeGenerator, describeOffset, listOffsets } from "@tributary/core/cdc";
import type { LakeQuery } from "@tributary/core/catalog";
import type { LocalPlatform } from "@tributary/core/local";
import type { TributaryConfig } from "@tributary/core/config";
import { formatTable } from "./table";

const DEMO_CHANGES = 30;

export async function demoCdc(platform: LocalPlatform, config: TributaryConfig, openLake: () => Promise<LakeQuery>): Promise<void> {
  for (const source of config.sources) {
    const embedded = await platform.changeSources.embedded(source.name);
    const schedule = `cdc-poll-${source.name}`;
    console.log(`\n▶ CDC: source ${source.name} — ${embedded ? `embedded SQL Server stand-in (set ${source.connectionSecret ?? "connectionSecret"} for a real SQL Server)` : "SQL Server"}`);
    await platform.runSchedule(schedule);
    await failOnProblems(platform, source.name);
    const since = new Date().toISOString();
    if (embedded) {
      const made = await new ChangeGenerator(embedded, config, { seed: Date.now() % 100_000 }).step(DEMO_CHANGES);
      console.log(`  made ${made.inserts} inserts, ${made.updates} updates, ${made.deletes} deletes in the source`);
      const orders = source.tables.find((t) => t.name === "orders");
      const columns = orders ? (await embedded.captureInstances(orders.table)).flatMap((i) => i.columns.map((c) => c.name)) : [];
      if (orders && !columns.includes("channel")) {
        const instance = await embedded.addColumn(orders.table, "channel", "string");
        await embedded.db.query(`UPDATE ${orders.table} SET channel = 'web', status = 'paid' WHERE order_id = (SELECT min(order_id) FROM ${orders.table})`);
        console.log(`  schema change: ${orders.table} gained column "channel" → new capture instance ${instance.name}`);
      }
    }
    await platform.runSchedule(schedule);
    await failOnProblems(platform, source.name);
    const lake = await openLake();
    try {
      const table = source.tables.find((t) => t.name === "orders")?.name ?? source.tables[0]!.name;
      const sql = source.tables
        .map((t) => `SELECT '${t.name}' AS "table", _op, count(*) AS rows FROM bronze.${t.name} WHERE _commit_ts >= TIMESTAMPTZ '${since}' GROUP BY _op`)
        .join(" UNION ALL ") + " ORDER BY 1, 2";
      console.log(`  changes landed in bronze since the first poll\n  ${sql}`);
      console.log(formatTable(await lake.query(sql)));
      const recent = `SELECT _op, _lsn, _seqval, ${source.tables.find((t) => t.name === table)!.primaryKey.join(", ")}, _commit_ts FROM bronze.${table} WHERE _commit_ts >= TIMESTAMPTZ '${since}' ORDER BY _lsn, _seqval, _op DESC LIMIT 6`;
      console.log(`  ${recent}`);
      console.log(formatTable(await lake.query(recent)));
    } finally {
      await lake.close();
    }
    const offsets = await listOffsets(platform.ports, source.name);
    console.log(`  npx tributary cdc status`);
    console.log(
      formatTable(
        offsets.map((o) => describeOffset(o, Date.now())).map((o) => ({ table: `${o.source}.${o.table}`, instance: o.captureInstance, position: o.position, snapshot: o.snapshot, "lag s": o.lagSeconds, landed: o.rowsLanded, problems: o.problems })),
      ),
    );
  }
}

async function failOnProblems(platform: LocalPlatform, source: string): Promise<void> {
  const failed = (await listOffsets(platform.ports, source)).filter((o) => o.lastError);
  if (failed.length > 0) throw new Error(`demo: CDC poll of ${source} failed: ${failed.map((o) => `${o.table}: ${o.lastError}`).join("; ")}`);
}
