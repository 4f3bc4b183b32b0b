/**
 * The demo's last part: the medallion workflow (the same ASL the stacks deploy, run locally) merges bronze into
 * silver and builds gold, then gold is queried by SQL with the names analysts use in Athena.
 */
import type { LakeQuery } from "@tributary/core/catalog";
import { runMedallionLocally, type LocalPlatform } from "@tributary/core/local";
import { formatTable } from "./table";

export async function demoMedallion(platform: LocalPlatform, openLake: () => Promise<LakeQuery>, sampleEntity: string | undefined): Promise<void> {
  console.log("\n▶ medallion workflow (Step Functions definition, run locally): bronze → silver → gold");
  const started = Date.now();
  const run = await runMedallionLocally(platform.ports);
  if (run.status !== "SUCCEEDED") throw new Error(`demo: the medallion workflow ended ${run.status}: ${run.error?.error}: ${run.error?.cause}`);
  const output = run.output as { silverPublished: string[]; goldPublished: string[]; waiting: { report: string; missing?: string[] }[] };
  console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s: silver published ${output.silverPublished.join(", ") || "(nothing new)"}; gold published ${output.goldPublished.join(", ") || "(nothing new)"}`);
  for (const w of output.waiting) console.log(`  gold.${w.report} waits for ${w.missing?.join(", ")}`);
  const lake = await openLake();
  try {
    const show = async (sql: string) => {
      console.log(`  ${sql}`);
      console.log(formatTable(await lake.query(sql)));
    };
    await show("SELECT dt, orders, revenue, lab_results, turnaround_p50_hours, visitors FROM gold.daily_kpis ORDER BY dt DESC LIMIT 5");
    if (sampleEntity) await show(`SELECT entity_id, orders, spend, kits, lab_results, web_events, first_utm_source FROM gold.customer_activity WHERE entity_id = '${sampleEntity}'`);
    await show("SELECT region, test_code, month, results, flagged, suppressed FROM gold.results_by_region ORDER BY region, test_code, month LIMIT 5");
    await show("SELECT customer_id, email, full_name, country, entity_id FROM silver.customers ORDER BY customer_id LIMIT 3");
  } finally {
    await lake.close();
  }
}
