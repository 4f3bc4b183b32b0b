/**
 * `tributary` — the command line of the embedded local platform.
 *   dev                 run every function locally (HTTP, queues, bus, schedules, DynamoDB, lake)
 *   demo                start the platform, send sample data through every path, show it queried, exit
 *   query [sql]         DuckDB over the local lake (bronze/silver/gold/quarantine); no SQL → interactive
 *   ingest <file>       put a local file through the file-ingest path
 */
import { Command } from "commander";
import { parseLocalSettings } from "@tributary/core/local";
import { runDemo } from "./demo";
import { runDev } from "./dev";
import { runIngest } from "./ingest";
import { runQuery } from "./query";

const program = new Command()
  .name("tributary")
  .description("Tributary: real-time data platform — embedded local mode")
  .option("-c, --config <file>", "config file", "tributary.config.ts");

const settings = () => parseLocalSettings(process.env);

program
  .command("dev")
  .description("run the local platform until Ctrl-C (state in $TRIBUTARY_HOME, HTTP on $TRIBUTARY_PORT)")
  .action(async () => runDev(settings(), program.opts().config));

program
  .command("demo")
  .description("send sample records, GA-free slice: streams and a partner file; print what landed; exit 0")
  .action(async () => runDemo(settings(), program.opts().config));

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

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
