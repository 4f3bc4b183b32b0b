/**
 * Cost model (issue #9): AWS cost per million GA hits, per million CDC changes and per GiB of partner files, from
 * the CPU time the real handlers spend per record on this machine and the requests they make (counted through the
 * ports), priced with eu-west-1 list prices (bench/cost/prices.ts); beside it, the seeds' design (Kinesis +
 * Firehose + Glue) for the same volume. Paste the output into bench/COST.md.
 *
 * Run: npm run bench -- cost   (options: BENCH_COST_GA_HITS default 3000 measured hits; BENCH_COST_CDC_ROWS
 * default 30000 orders inserted then updated, so 3× change rows; BENCH_COST_FILE_MB default 100 and
 * BENCH_COST_SMALL_FILE_MB default 2, the files ingested; BENCH_COST_LINK_RECORDS default 3000 records linked per
 * path; BENCH_COST_CPU_FACTOR default 1, a Lambda vCPU's slowness vs this machine's; the scenario's monthly volumes
 * BENCH_COST_GA_HITS_PER_MONTH, BENCH_COST_CDC_CHANGES_PER_MONTH, BENCH_COST_FILE_GIB_PER_MONTH, BENCH_COST_FILE_GIB)
 */
import { cpus, totalmem } from "node:os";
import { parseConfig } from "../packages/core/src/config";
import { wiring } from "../packages/core/src/wiring";
import shipped from "../tributary.config";
import { DEFAULT_ASSUMPTIONS, type Assumptions } from "./cost/assumptions";
import { InvalidCostInputError } from "./cost/errors";
import { specsFromWiring } from "./cost/measured";
import { measureCdc } from "./cost/measure-cdc";
import { measureFiles } from "./cost/measure-files";
import { measureGa } from "./cost/measure-ga";
import { costReport, type MeasuredRow } from "./cost/report";
import { fitWork } from "./cost/work";

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidCostInputError(name, raw, "a positive number");
  return value;
}

function assumptionsFromEnv(): Assumptions {
  const a = DEFAULT_ASSUMPTIONS;
  return {
    ...a,
    cpuSpeedFactor: numberFromEnv("BENCH_COST_CPU_FACTOR", a.cpuSpeedFactor),
    scenario: {
      gaHitsPerMonth: numberFromEnv("BENCH_COST_GA_HITS_PER_MONTH", a.scenario.gaHitsPerMonth),
      cdcChangesPerMonth: numberFromEnv("BENCH_COST_CDC_CHANGES_PER_MONTH", a.scenario.cdcChangesPerMonth),
      fileGiBPerMonth: numberFromEnv("BENCH_COST_FILE_GIB_PER_MONTH", a.scenario.fileGiBPerMonth),
      fileGiB: numberFromEnv("BENCH_COST_FILE_GIB", a.scenario.fileGiB),
    },
  };
}

export async function benchCost(): Promise<string> {
  const assumptions = assumptionsFromEnv();
  const linkRecords = numberFromEnv("BENCH_COST_LINK_RECORDS", 3000);
  const log = (line: string) => console.error(line);
  const ga = await measureGa({ hits: numberFromEnv("BENCH_COST_GA_HITS", 3000), linkRecords, log });
  const cdc = await measureCdc({ rows: numberFromEnv("BENCH_COST_CDC_ROWS", 30_000), linkRecords, log });
  const files = await measureFiles({ smallMb: numberFromEnv("BENCH_COST_SMALL_FILE_MB", 2), largeMb: numberFromEnv("BENCH_COST_FILE_MB", 100), linkRecords, log });
  const rows: MeasuredRow[] = [
    { fn: "ga-proxy", item: "GA hit", samples: ga.samples.proxy, work: ga.measured.proxy },
    { fn: "ga-bronze", item: "GA hit", samples: ga.samples.bronze, work: ga.measured.bronze },
    { fn: "ga-forward", item: "GA hit", samples: ga.samples.forward, work: ga.measured.forward },
    { fn: "link (GA rows)", item: "record", samples: ga.samples.link, work: ga.measured.link },
    { fn: "cdc-poll (idle polls)", item: "change row", samples: cdc.samples.idle, work: fitWork(cdc.samples.idle) },
    { fn: "cdc-poll (polls with changes)", item: "change row", samples: cdc.samples.busy, work: cdc.measured.poll },
    { fn: "read changes only (seeds' poller)", item: "change row", samples: cdc.samples.readOnly, work: cdc.measured.readOnly },
    { fn: "link (CDC rows)", item: "record", samples: cdc.samples.link, work: cdc.measured.link },
    { fn: "file-ingest", item: "GiB of CSV", samples: [...files.samples.small, ...files.samples.large], work: files.measured.ingest },
    { fn: "link (lab results)", item: "record", samples: files.samples.link, work: files.measured.link },
  ];
  const config = parseConfig(shipped);
  const cpu = cpus();
  return costReport({
    machine: `${cpu.length} vCPU ${cpu[0]?.model.trim() ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    date: new Date().toISOString().slice(0, 10),
    measured: { ga: ga.measured, cdc: cdc.measured, files: files.measured },
    rows,
    specs: specsFromWiring(wiring(config, { lakeBucket: "cost" }), assumptions.hoursPerMonth),
    assumptions,
  });
}
