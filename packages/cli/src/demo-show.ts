/**
 * What the run left in the lake, read back with the SQL a user would type into `tributary query`: stream records
 * and their partitions, GA hits (emails stripped, bots tagged), partner rows and the quarantined ones with their
 * reasons, and the run's CDC changes by operation with the offsets `tributary cdc status` shows.
 */
import type { LakeQuery } from "@tributary/core/catalog";
import { describeOffset, listOffsets } from "@tributary/core/cdc";
import type { LocalPlatform } from "@tributary/core/local";
import type { CdcDriver } from "./demo-cdc";
import { landingPrefix } from "./demo-tally";
import { formatTable } from "./table";

export async function showBronze(run: string, lake: LakeQuery): Promise<void> {
  const show = async (title: string, sql: string) => {
    console.log(`\n▶ ${title}\n  ${sql}`);
    console.log(formatTable(await lake.query(sql)));
  };
  const files = landingPrefix("lab_results", run);
  await show("stream records read back from Parquet", `SELECT request_id, request_timestamp, topic, user_account_id, dt, hour, _source_ip FROM bronze.user_events WHERE starts_with(request_id, '${run}-ue-') ORDER BY request_id LIMIT 5`);
  await show("records per partition", `SELECT dt, hour, count(*) AS records FROM bronze.user_events WHERE starts_with(request_id, '${run}-') GROUP BY ALL ORDER BY ALL`);
  await show("GA hits read back from bronze (emails stripped, bots tagged)", `SELECT protocol, event_name, client_id, user_id, page_location, is_bot FROM bronze.ga_events WHERE client_id IN ('${run}.1001', '${run}.2002', '${run}.3003') ORDER BY event_time, event_name`);
  await show("partner file rows landed, per file", `SELECT _file, count(*) AS rows FROM bronze.lab_results WHERE starts_with(_file, '${files}') GROUP BY ALL ORDER BY ALL`);
  await show("quarantined rows with their reason", `SELECT _origin, _reason FROM quarantine.lab_results WHERE starts_with(_origin, '${files}') ORDER BY _origin LIMIT 6`);
}

export async function showCdc(platform: LocalPlatform, cdc: CdcDriver, lake: LakeQuery): Promise<void> {
  const window = cdc.window;
  if (!window) return;
  const sql = cdc.source.tables
    .map((t) => `SELECT '${t.name}' AS "table", _op, count(*) AS rows FROM bronze.${t.name} WHERE _lsn > '${window.after}' AND _lsn <= '${window.upTo}' AND _op <> 'snapshot' GROUP BY _op`)
    .join(" UNION ALL ") + " ORDER BY 1, 2";
  console.log(`\n▶ CDC: this run's changes of ${cdc.source.name} in bronze (LSNs ${window.after} … ${window.upTo})\n  ${sql}`);
  console.log(formatTable(await lake.query(sql)));
  const offsets = await listOffsets(platform.ports, cdc.source.name);
  console.log(`  npx tributary cdc status`);
  console.log(
    formatTable(
      offsets
        .map((o) => describeOffset(o, Date.now()))
        .map((o) => ({ table: `${o.source}.${o.table}`, instance: o.captureInstance, position: o.position, snapshot: o.snapshot, "lag s": o.lagSeconds, landed: o.rowsLanded, problems: o.problems })),
    ),
  );
}
