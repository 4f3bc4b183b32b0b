/**
 * `npm run bench [-- name…]`: runs the named benchmarks (default: all) and prints Markdown tables to paste into
 * bench/RESULTS.md with the date. Benchmarks compare against a baseline measured in the same run.
 */
import { benchCdcPoll } from "./cdc-poll";
import { benchCost } from "./cost";
import { benchFileIngest } from "./file-ingest";
import { benchIngestEndpoints } from "./ingest-endpoints";
import { benchLinkResolve } from "./link-resolve";
import { benchReportFreshness } from "./report-freshness";
import { benchSilverMerge } from "./silver-merge";

const BENCHMARKS: Record<string, () => Promise<string>> = {
  ingest: benchIngestEndpoints,
  files: benchFileIngest,
  cdc: benchCdcPoll,
  link: benchLinkResolve,
  freshness: benchReportFreshness,
  silver: benchSilverMerge,
  cost: benchCost,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHMARKS);
for (const name of names) {
  const bench = BENCHMARKS[name];
  if (!bench) {
    console.error(`bench: unknown benchmark "${name}" (known: ${Object.keys(BENCHMARKS).join(", ")})`);
    process.exit(2);
  }
  console.error(`▶ ${name}`);
  console.log(`\n## ${name} — ${new Date().toISOString().slice(0, 10)}\n\n${await bench()}\n`);
}
process.exit(0);
