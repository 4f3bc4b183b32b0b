/**
 * Running a dataset's expectations on the `merged` table of a silver merge (see quality.ts for what each action
 * does). Returns what the manifest records; a `fail` throws before anything reaches the lake; `quarantine` copies the
 * failing rows into the `quarantined` table (with the checks they failed; made only when a row is quarantined), for
 * the caller to leave out of the version (`merged` may be a view of files already written, so it is not changed
 * here).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Dataset, TributaryConfig } from "../config";
import type { LakeStore, StagedPrefix } from "../lake";
import { readCurrentManifest, stageVersionFiles } from "./layout";
import { expectationsOf, failingRowsSql, freshnessSql, QualityFailedError, type QualityResult } from "./quality";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";


export interface QualityOutcome {
  results: QualityResult[];
  quarantined: number;
}

/**
 * @example const quality = await runQualityChecks(conn, { config, lake, dataset, now, stages });
 */
export async function runQualityChecks(conn: DuckDBConnection, ctx: { config: TributaryConfig; lake: LakeStore; dataset: Dataset; now: Date; stages: StagedPrefix[] }): Promise<QualityOutcome> {
  const results: QualityResult[] = [];
  let quarantines = false;
  for (const e of expectationsOf(ctx.config, ctx.dataset)) {
    const label = `${e.check}${e.column ? `(${e.column})` : ""}`;
    const result: QualityResult = { check: e.check, column: e.column ?? null, action: e.action, failures: 0, sample: [] };
    results.push(result);
    if (e.check === "freshness") {
      const [row] = (await conn.runAndReadAll(freshnessSql(ctx.dataset, e, ctx.now))).getRowObjectsJson();
      result.failures = Number(row?.stale ?? 0);
      if (result.failures > 0) result.sample = [`newest ${String(row?.newest ?? "none")}`];
      // A stale table is a fact about the dataset, not about rows: nothing to quarantine.
      if (result.failures > 0 && e.action === "fail") throw new QualityFailedError(ctx.dataset.name, result);
      continue;
    }
    if (e.check === "references") {
      const refName = e.references!.dataset;
      const ref = await readCurrentManifest(ctx.lake, "silver", refName);
      if (!ref || ref.files.length === 0) {
        result.skipped = `silver.${refName} has no version yet`;
        continue;
      }
      const files = (await stageVersionFiles(ctx.lake, ref, ctx.stages)).map(sqlLiteral).join(", ");
      await conn.run(`CREATE OR REPLACE VIEW ${sqlIdent(`ref_${refName}`)} AS SELECT * FROM read_parquet([${files}], hive_partitioning = false)`);
    }
    const failing = (await conn.runAndReadAll(`SELECT _record_id FROM (${failingRowsSql(e)!}) ORDER BY _record_id`)).getRowObjectsJson();
    result.failures = failing.length;
    result.sample = failing.slice(0, 5).map((r) => String(r._record_id));
    if (result.failures === 0) continue;
    if (e.action === "fail") throw new QualityFailedError(ctx.dataset.name, result);
    if (e.action !== "quarantine") continue;
    if (!quarantines) await conn.run("CREATE TABLE quarantine_ids (_record_id VARCHAR, _quality_check VARCHAR)");
    quarantines = true;
    await conn.run(`INSERT INTO quarantine_ids SELECT _record_id, ${sqlLiteral(label)} FROM (${failingRowsSql(e)!})`);
  }
  // Nothing to quarantine (the usual case): no `quarantined` table, and two queries fewer.
  if (!quarantines) return { results, quarantined: 0 };
  await conn.run(
    "CREATE TABLE quarantined AS SELECT m.*, q._quality_check FROM merged m JOIN (SELECT _record_id, string_agg(DISTINCT _quality_check, ', ' ORDER BY _quality_check) AS _quality_check FROM quarantine_ids GROUP BY ALL) q USING (_record_id)",
  );
  const [count] = (await conn.runAndReadAll("SELECT count(*) AS n FROM quarantined")).getRowObjectsJson();
  return { results, quarantined: Number(count?.n ?? 0) };
}
