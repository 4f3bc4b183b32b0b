/**
 * The cost report as Markdown: what was measured on this machine, each path's cost by service for both designs at
 * the scenario's volume, a summary across volumes, the price table and the assumptions, and every line item.
 */
import type { Assumptions } from "./assumptions";
import { byService, designCosts, pathUnits, type DesignCost, type Measured, type PathUnit } from "./compare";
import { formatNumber, formatUsd, table } from "./markdown";
import type { FunctionSpecs } from "./measured";
import { PRICE_REGION, PRICES, PRICES_AS_OF, type PriceTable } from "./prices";
import { batchWindowSensitivity, cpuSensitivity, summary } from "./sensitivity";
import type { Linear, RequestCounts, Work, WorkSample } from "./work";

export interface MeasuredRow {
  fn: string;
  item: string;
  samples: WorkSample[];
  work: Work;
}

export interface ReportInput {
  machine: string;
  date: string;
  measured: Measured;
  rows: MeasuredRow[];
  specs: FunctionSpecs;
  assumptions: Assumptions;
  prices?: PriceTable;
  /** Volume multipliers for the summary. */
  volumeFactors?: number[];
}

function linear(l: Linear): string {
  if (l.perInvocation === 0 && l.perItem === 0) return "—";
  if (l.perInvocation === 0) return `${formatNumber(l.perItem)}/item`;
  if (l.perItem === 0) return formatNumber(l.perInvocation);
  return `${formatNumber(l.perInvocation)} + ${formatNumber(l.perItem)}/item`;
}

const SHOWN_REQUESTS: [keyof RequestCounts, string][] = [
  ["s3Put", "S3 PUT/LIST"],
  ["s3Get", "S3 GET/HEAD"],
  ["dynamoWriteUnits", "DynamoDB WRU"],
  ["dynamoReadUnits", "DynamoDB RRU"],
  ["sqsSendBilled", "SQS sends"],
  ["eventBridgeBilled", "EventBridge events"],
  ["sourceQueries", "source queries"],
  ["googleRequests", "Google requests"],
  ["logBytes", "log bytes"],
];

function measuredTables(rows: MeasuredRow[]): string {
  const sum = (samples: WorkSample[], f: (s: WorkSample) => number) => samples.reduce((n, s) => n + f(s), 0);
  const cpu = table(
    ["function", "item", "invocations measured", "items measured", "CPU ms measured (total)", "CPU ms per invocation (fit)", "CPU ms per item (fit)"],
    ["---", "---", "---:", "---:", "---:", "---:", "---:"],
    rows.map((r) => [
      r.fn,
      r.item,
      String(sum(r.samples, (s) => s.invocations)),
      formatNumber(sum(r.samples, (s) => s.items)),
      formatNumber(sum(r.samples, (s) => s.cpuMs)),
      formatNumber(r.work.cpuMs.perInvocation),
      formatNumber(r.work.cpuMs.perItem),
    ]),
  );
  const requests = table(
    ["function", ...SHOWN_REQUESTS.map(([, label]) => `${label} (per invocation + per item)`)],
    ["---", ...SHOWN_REQUESTS.map(() => "---:")],
    rows.map((r) => [r.fn, ...SHOWN_REQUESTS.map(([field]) => linear(r.work.requests[field]))]),
  );
  return `${cpu}\n\nRequests counted through the ports, fitted the same way:\n\n${requests}`;
}

/** The sizes the seeds' design is priced from, and what bronze takes. */
function sizesLine(m: Measured): string {
  const f = m.files;
  return (
    `Sizes: an accepted GA hit as queued ${formatNumber(m.ga.hitBytes)} B, a change row as JSON ${formatNumber(m.cdc.changeBytes)} B; ` +
    `bronze and quarantine Parquet written: ${formatNumber(m.ga.bronzeBytesPerHit)} B a hit (full batches), ${formatNumber(m.cdc.bronzeBytesPerChange)} B a change row, ` +
    `${formatNumber(f.bronzeBytesPerGiB / 2 ** 20)} MiB a GiB of CSV (${formatNumber(f.rowsPerGiB)} rows; gzip is ${formatNumber(f.gzipRatio * 100)}% of the CSV).`
  );
}

function pathSection(unit: PathUnit, costs: DesignCost[]): string {
  const stages = costs.flatMap((d) =>
    d.stages.map((s) => [
      d.design,
      s.fn,
      `${s.memoryMb} MB`,
      formatNumber(s.itemsPerInvocation),
      formatNumber((s.invocations / unit.volume) * unit.itemsPerUnit),
      formatNumber(s.cpuMs),
      formatNumber(s.ioWaitMs),
      s.timeoutSeconds && s.durationMs > s.timeoutSeconds * 1000 ? `${s.durationMs} ⚠ over its ${s.timeoutSeconds} s timeout` : String(s.durationMs),
    ]),
  );
  const services = [...new Set(costs.flatMap((d) => [...byService(d.lines).keys()]))];
  const perUnit = (d: DesignCost, service: string) => (byService(d.lines).get(service) ?? 0) / (unit.volume / unit.itemsPerUnit);
  const serviceRows = services.map((service) => [service, ...costs.map((d) => (byService(d.lines).has(service) ? formatUsd(perUnit(d, service)) : ""))]);
  return [
    `### ${unit.title}: per ${unit.unit}, at ${formatNumber(unit.volume)} a month`,
    "",
    table(
      ["design", "function", "memory", "items an invocation", "invocations per unit", "CPU ms an invocation (measured × batch)", "I/O wait ms (assumed)", "billed ms"],
      ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"],
      stages,
    ),
    "",
    table(
      ["service", ...costs.map((d) => d.design)],
      ["---", ...costs.map(() => "---:")],
      [
        ...serviceRows,
        ["**total per unit**", ...costs.map((d) => `**${formatUsd(d.perUnitUsd)}**`)],
        ["total a month", ...costs.map((d) => formatUsd(d.monthlyUsd))],
      ],
    ),
  ].join("\n");
}

function pricesTable(prices: PriceTable): string {
  return table(
    ["price", "USD", "per", "unit", "source", "note"],
    ["---", "---:", "---:", "---", "---", "---"],
    Object.entries(prices).map(([key, p]) => [key, String(p.usd), formatNumber(p.per), p.unit, p.source, p.note ?? ""]),
  );
}

function assumptionsList(a: Assumptions): string {
  const s = a.seeds;
  return [
    `- Lambda CPU speed vs one vCPU of this machine: ×${a.cpuSpeedFactor}; CPU share of a vCPU below 1769 MB: memory / 1769.`,
    `- I/O waits per call (ms): ${Object.entries(a.latencyMs).map(([k, v]) => `${k} ${v}`).join(", ")}; in flight at once: ${Object.entries(a.parallelism).map(([k, v]) => `${k} ${v}`).join(", ")} (others 1); S3 writes at ${a.s3WriteMBps} MB/s.`,
    `- Logs: ${a.platformLogBytesPerInvocation} B of platform lines an invocation, ${a.apiAccessLogBytesPerRequest} B of access log an API request; X-Ray records ${a.xraySampledShare * 100}% of invocations.`,
    `- SQS event source mappings: ${a.esmPollers} pollers sharing the traffic, ${a.esmLongPollSeconds} s long polls when idle, a window of 0 still gathers ${a.minGatherSeconds} s.`,
    `- Month: ${a.hoursPerMonth} hours. Scenario: ${formatNumber(a.scenario.gaHitsPerMonth)} GA hits, ${formatNumber(a.scenario.cdcChangesPerMonth)} CDC changes, ${a.scenario.fileGiBPerMonth} GiB of CSV in files of ${a.scenario.fileGiB} GiB.`,
    `- Seeds: peak = ${s.peakToAverage}× average for shards; ${s.gaStreamConsumers} consumers on the GA stream, ${s.cdcStreamConsumers} on the CDC one; PutRecords of ${s.putRecordsBatch}; stream consumer batches of ${s.streamConsumerBatch}; Firehose buffers ${s.firehoseBufferMiB} MiB / ${s.firehoseBufferSeconds} s, no format conversion.`,
    `- Glue: ${s.glue.runsPerMonth} runs a month (hourly) per path, ${s.glue.dpusPerRun} DPU, ${s.glue.fixedSecondsPerRun} s fixed a run, ${s.glue.gbPerDpuHour} GiB of input per DPU-hour, ${s.glue.minimumSecondsPerRun} s minimum, ${s.glue.s3RequestsPerRun} extra S3 requests a run, ${s.glue.outputObjectMiB} MiB output objects.`,
    `- Partner uploads: multipart in ${a.partnerUploadPartMiB} MiB parts.`,
  ].join("\n");
}

function lineItems(unit: PathUnit, costs: DesignCost[]): string {
  const units = unit.volume / unit.itemsPerUnit;
  return costs
    .map((d) =>
      [
        `#### ${d.design} (per ${unit.unit})`,
        "",
        table(
          ["line item", "basis", "quantity", "USD"],
          ["---", "---", "---:", "---:"],
          d.lines.map((l) => [l.item, l.basis, formatNumber(l.quantity / units), formatUsd(l.usd / units)]),
        ),
      ].join("\n"),
    )
    .join("\n\n");
}

/**
 * @example console.log(costReport({ machine, date, measured, rows, specs, assumptions: DEFAULT_ASSUMPTIONS }));
 */
export function costReport(input: ReportInput): string {
  const prices = input.prices ?? PRICES;
  const units = pathUnits(input.assumptions);
  const costs = units.map((u) => designCosts(u, input.measured, input.specs, u.volume, input.assumptions, prices));
  return [
    `Machine: ${input.machine}. Run of ${input.date}. Prices: ${PRICE_REGION} list prices as of ${PRICES_AS_OF}, no free tier (re-check them).`,
    "",
    "### Measured on this machine",
    "",
    measuredTables(input.rows),
    "",
    sizesLine(input.measured),
    "",
    ...units.flatMap((u, i) => [pathSection(u, costs[i]!), ""]),
    "### Summary: cost per unit at a tenth, the scenario's and ten times the volume",
    "",
    summary(input, prices),
    "",
    "### GA with longer bronze batch windows (scenario volume)",
    "",
    batchWindowSensitivity(input, prices),
    "",
    "### Sensitivity to the Lambda-vs-this-machine CPU assumption (scenario volume)",
    "",
    cpuSensitivity(input, prices),
    "",
    "### Prices",
    "",
    pricesTable(prices),
    "",
    "### Assumptions",
    "",
    assumptionsList(input.assumptions),
    "",
    "### Line items at the scenario's volume",
    "",
    units.map((u, i) => lineItems(u, costs[i]!)).join("\n\n"),
  ].join("\n");
}
