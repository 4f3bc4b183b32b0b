/**
 * `tributary` — the command line of the embedded local platform.
 *   dev                 run every function locally (HTTP, queues, bus, schedules, DynamoDB, lake)
 *   demo [--scale n]    drive every source live; print a linked report, gold by SQL, reconciliation, freshness
 *   query [sql]         DuckDB over the local lake (bronze/silver/gold/quarantine); no SQL → interactive
 *   ingest <file>       put a local file through the file-ingest path
 *   snapshot <source>   (re-)snapshot a CDC source's tables, with a progress bar
 *   cdc status          CDC offsets, lag and last poll per table
 *   status              dataset freshness vs SLO, CDC lag, queue/DLQ depths, last medallion runs (also at /status)
 *   replay dlq <queue>  move a queue's dead letters back to it and follow their processing
 *   backfill <dataset>  re-announce bronze files of --from..--to so linking and the report catch up
 */
import { Command } from "commander";
import { parseLocalSettings } from "@tributary/core/local";
import { runCdcStatus, runSnapshot } from "./cdc";
import { runDemo } from "./demo";
import { parseDemoScale } from "./demo-sizes";
import { runDev } from "./dev";
import { runIngest } from "./ingest";
import { runQuery } from "./query";
import { runBackfill, runReplayDlq } from "./replay";
import { runStatus } from "./status";

const program = new Command()
  .name("tributary")
  .description("Tributary: real-time data platform — embedded local mode")
  .option("-c, --config <file>", "config file", "tributary.config.ts");

const settings = () => parseLocalSettings(process.env);

program
  .command("dev")
  .option("--simulate-changes", "keep making inserts, updates and deletes in the embedded CDC stand-in sources")
  .description("run the local platform until Ctrl-C (state in $TRIBUTARY_HOME, HTTP on $TRIBUTARY_PORT)")
  .action(async (options: { simulateChanges?: boolean }) => runDev(settings(), program.opts().config, { simulateChanges: options.simulateChanges ?? false }));

program
  .command("demo")
  .option("--scale <n>", "size of the sample data, 1–1000 (1 keeps the demo around 10–20 s)", "1")
  .description("drive every source live, then print what landed, a linked real-time report, gold by SQL, a reconciliation table and measured freshness; exit 1 if anything does not reconcile")
  .action(async (options: { scale: string }) => runDemo(settings(), program.opts().config, { scale: parseDemoScale(options.scale) }));

program
  .command("query")
  .argument("[sql]", "SQL to run; omit for an interactive prompt")
  .option("--json", "print rows as JSON")
  .description("query the local lake with DuckDB (databases bronze, silver, gold, quarantine)")
  .action(async (sql: string | undefined, options: { json?: boolean }) => runQuery(settings(), program.opts().config, sql, options.json ?? false));

program
  .command("ingest")
  .argument("<file>", "local file (CSV, JSON Lines, Parquet; gzip detected by content)")
  .requiredOption("--feed <feed>", "feed name from the config")
  .description("land a local file under landing/<feed>/ and ingest it with the same code S3 notifications run")
  .action(async (file: string, options: { feed: string }) => runIngest(settings(), program.opts().config, file, options.feed));

program
  .command("snapshot")
  .argument("<source>", "SQL Server source name from the config")
  .option("--tables <tables>", "comma-separated table (dataset) names; default all of the source's tables")
  .description("take a fresh snapshot of a CDC source's tables (streaming keeps its offset) and follow its progress")
  .action(async (source: string, options: { tables?: string }) =>
    runSnapshot(settings(), program.opts().config, source, options.tables?.split(",").map((t) => t.trim()).filter(Boolean)),
  );

program
  .command("cdc")
  .description("change data capture")
  .command("status")
  .option("--json", "print as JSON")
  .description("offsets, lag, snapshot state and last poll of every CDC table")
  .action(async (options: { json?: boolean }) => runCdcStatus(settings(), program.opts().config, options.json ?? false));

program
  .command("status")
  .option("--json", "print as JSON")
  .description("per-dataset freshness against its SLO, CDC lag, queue and dead-letter depths, last medallion runs")
  .action(async (options: { json?: boolean }) => runStatus(settings(), program.opts().config, options.json ?? false));

program
  .command("replay")
  .description("replay failed work")
  .command("dlq")
  .argument("<queue>", "a declared queue, e.g. stream-records (its <queue>-dlq is moved back into it)")
  .description("move dead-lettered messages back to their queue in batches, with progress; idempotent")
  .action(async (queue: string) => runReplayDlq(settings(), program.opts().config, queue));

program
  .command("backfill")
  .argument("<dataset>", "dataset name from the config")
  .requiredOption("--from <date>", "first dt partition, YYYY-MM-DD (UTC)")
  .requiredOption("--to <date>", "last dt partition, YYYY-MM-DD, included")
  .description("re-announce a dataset's bronze files of a date range as record.ingested; idempotent")
  .action(async (dataset: string, options: { from: string; to: string }) => runBackfill(settings(), program.opts().config, dataset, options.from, options.to));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
