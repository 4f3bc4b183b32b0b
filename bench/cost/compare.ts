/**
 * Both designs side by side for each path: every design's month at a volume, priced, and divided down to the
 * path's unit (a million GA hits, a million CDC changes, a GiB of partner CSV).
 */
import type { Assumptions } from "./assumptions";
import { assertPositive, costLines, totalUsd, type CostedLine } from "./cost-model";
import type { FunctionSpecs, MeasuredCdc, MeasuredFiles, MeasuredGa } from "./measured";
import type { PriceKey, PriceTable } from "./prices";
import { PRICES } from "./prices";
import { seedsCdcMonth, seedsFilesMonth, seedsGaMonth } from "./seeds-model";
import type { StageMonth } from "./stage";
import { cdcMonth, filesMonth, gaMonth, type DesignMonth } from "./tributary-model";

export type PathName = "ga" | "cdc" | "files";

export interface Measured {
  ga: MeasuredGa;
  cdc: MeasuredCdc;
  files: MeasuredFiles;
}

export interface PathUnit {
  path: PathName;
  title: string;
  /** "1M GA hits", "1 GiB of CSV". */
  unit: string;
  /** Items in one unit (1e6 hits; 1 GiB). */
  itemsPerUnit: number;
  /** The scenario's items a month. */
  volume: number;
}

export interface DesignCost {
  design: string;
  monthlyUsd: number;
  perUnitUsd: number;
  lines: CostedLine[];
  stages: StageMonth[];
}

export function pathUnits(a: Assumptions): PathUnit[] {
  const s = a.scenario;
  return [
    { path: "ga", title: "GA hits", unit: "1M GA hits", itemsPerUnit: 1e6, volume: s.gaHitsPerMonth },
    { path: "cdc", title: "CDC changes", unit: "1M CDC changes", itemsPerUnit: 1e6, volume: s.cdcChangesPerMonth },
    { path: "files", title: "partner files", unit: `1 GiB of CSV (files of ${s.fileGiB} GiB)`, itemsPerUnit: 1, volume: s.fileGiBPerMonth },
  ];
}

/** Every design of a path for a month at `volume` items. */
export function designMonths(path: PathName, m: Measured, specs: FunctionSpecs, volume: number, a: Assumptions): DesignMonth[] {
  switch (path) {
    case "ga":
      return [...gaMonth(m.ga, specs, volume, a), seedsGaMonth(m.ga, specs, volume, "provisioned", a), seedsGaMonth(m.ga, specs, volume, "on-demand", a)];
    case "cdc":
      return [...cdcMonth(m.cdc, specs, volume, a), seedsCdcMonth(m.cdc, specs, volume, "provisioned", a), seedsCdcMonth(m.cdc, specs, volume, "on-demand", a)];
    case "files":
      return [...filesMonth(m.files, specs, volume, a.scenario.fileGiB, a), seedsFilesMonth(m.files, volume, a.scenario.fileGiB, a)];
  }
}

/**
 * @example designCosts(pathUnits(a)[0], measured, specs, 30e6, a)[0].perUnitUsd // dollars per million hits
 */
export function designCosts(unit: PathUnit, m: Measured, specs: FunctionSpecs, volume: number, a: Assumptions, prices: PriceTable = PRICES): DesignCost[] {
  assertPositive("volume", volume);
  const units = volume / unit.itemsPerUnit;
  return designMonths(unit.path, m, specs, volume, a).map((d) => {
    const lines = costLines(d.lines, prices);
    const monthlyUsd = totalUsd(lines);
    return { design: d.design, monthlyUsd, perUnitUsd: monthlyUsd / units, lines, stages: d.stages };
  });
}

/** The service a price belongs to, for the per-service tables. */
export function serviceOf(price: PriceKey): string {
  if (price === "apiHttpRequest") return "API Gateway";
  if (price === "lambdaRequest") return "Lambda requests";
  if (price === "lambdaGbSecond") return "Lambda GB-seconds";
  if (price === "sqsRequest") return "SQS";
  if (price.startsWith("s3")) return "S3 requests";
  if (price.startsWith("dynamo")) return "DynamoDB";
  if (price === "eventBridgeEvent") return "EventBridge";
  if (price === "logsIngestedGb") return "CloudWatch Logs";
  if (price === "customMetricMonth") return "CloudWatch metrics";
  if (price === "xrayTrace") return "X-Ray";
  if (price.startsWith("kinesis")) return "Kinesis Data Streams";
  if (price.startsWith("firehose")) return "Firehose";
  return "Glue";
}

/** Dollars per service of a design. */
export function byService(lines: readonly CostedLine[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(serviceOf(line.price), (totals.get(serviceOf(line.price)) ?? 0) + line.usd);
  return totals;
}
