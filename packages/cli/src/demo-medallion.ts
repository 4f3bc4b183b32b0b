/**
 * The demo's medallion part: the workflow (the same ASL the stacks deploy, run locally) merges bronze into silver
 * and builds gold — timed from the run's last event to the gold version that contains it — then gold is queried
 * by SQL with the names analysts use in Athena.
 */
import type { LakeQuery } from "@tributary/core/catalog";
import { runMedallionLocally, type LocalPlatform } from "@tributary/core/local";
import { goldFreshness, type FreshnessSample, type GoldFreshness } from "./demo-freshness";
import { formatTable } from "./table";

interface WorkflowOutput {
  silverPublished: string[];
  goldPublished: string[];
  waiting?: { report: string; missing?: string[] }[];
}

/** One workflow run; a run that does not succeed fails the demo. */
export async function runWorkflowOnce(platform: LocalPlatform): Promise<WorkflowOutput> {
  const started = Date.now();
  const run = await runMedallionLocally(platform.ports);
  if (run.status !== "SUCCEEDED") throw new Error(`demo: the medallion workflow ended ${run.status}: ${run.error?.error}: ${run.error?.cause}`);
  const output = (run.output ?? {}) as Partial<WorkflowOutput>;
  const result = { silverPublished: output.silverPublished ?? [], goldPublished: output.goldPublished ?? [], waiting: output.waiting ?? [] };
  console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s: silver published ${result.silverPublished.join(", ") || "(nothing new)"}; gold published ${result.goldPublished.join(", ") || "(nothing new)"}`);
  for (const w of result.waiting) console.log(`  gold.${w.report} waits for ${w.missing?.join(", ")}`);
  return result;
}

/** Entity ids as the link step makes them; checked before one goes into SQL text. */
const ENTITY_ID = /^ent_[0-9a-f]{26}$/;

function entityLiteral(entityId: string): string {
  if (!ENTITY_ID.test(entityId)) throw new Error(`demo: ${JSON.stringify(entityId)} is not an entity id`);
  return `'${entityId}'`;
}

/** Whether the published gold.customer_activity has a row for the entity. */
export async function goldHasEntity(openLake: () => Promise<LakeQuery>, entityId: string): Promise<boolean> {
  const literal = entityLiteral(entityId);
  const lake = await openLake();
  try {
    const [row] = await lake.query(`SELECT count(*) AS n FROM gold.customer_activity WHERE entity_id = ${literal}`);
    return Number(row?.n ?? 0) > 0;
  } finally {
    await lake.close();
  }
}

/** Runs the workflow until gold holds the last probe's entity (or once, when no probe showed); returns event → gold. */
export async function demoMedallion(platform: LocalPlatform, openLake: () => Promise<LakeQuery>, last: FreshnessSample | undefined): Promise<GoldFreshness | undefined> {
  console.log("\n▶ medallion workflow (Step Functions definition, run locally): bronze → silver → gold");
  if (!last) {
    await runWorkflowOnce(platform);
    return undefined;
  }
  return goldFreshness(last, async () => void (await runWorkflowOnce(platform)), (entity) => goldHasEntity(openLake, entity));
}

/** Gold and silver as analysts query them. */
export async function showGold(openLake: () => Promise<LakeQuery>, sampleEntity: string | undefined): Promise<void> {
  console.log("\n▶ gold and silver, by SQL (the names analysts use in Athena)");
  const lake = await openLake();
  try {
    const show = async (sql: string) => {
      console.log(`  ${sql}`);
      console.log(formatTable(await lake.query(sql)));
    };
    await show("SELECT dt, orders, revenue, lab_results, turnaround_p50_hours, visitors FROM gold.daily_kpis ORDER BY dt DESC LIMIT 5");
    if (sampleEntity) await show(`SELECT entity_id, orders, spend, kits, lab_results, web_events, first_utm_source FROM gold.customer_activity WHERE entity_id = ${entityLiteral(sampleEntity)}`);
    await show("SELECT region, test_code, month, results, flagged, suppressed FROM gold.results_by_region ORDER BY region, test_code, month LIMIT 5");
    await show("SELECT customer_id, email, full_name, country, entity_id FROM silver.customers ORDER BY customer_id LIMIT 3");
  } finally {
    await lake.close();
  }
}
