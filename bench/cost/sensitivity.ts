/**
 * The report's comparison tables across variants of the inputs: volumes, ga-bronze's batch window, and the
 * Lambda-vs-this-machine CPU factor. Each row is a design of a path; Tributary's ingestion plus its link step gets
 * a row of its own.
 */
import type { Assumptions } from "./assumptions";
import { designCosts, pathUnits, type DesignCost, type PathName } from "./compare";
import { formatUsd, table } from "./markdown";
import { queueOf, specOf, type FunctionSpecs } from "./measured";
import type { PriceTable } from "./prices";
import type { ReportInput } from "./report";

/** Per-unit cost of each design, plus Tributary with its link step (the first design plus the "(extra)" one). */
function perUnitRows(costs: DesignCost[]): { design: string; usd: number }[] {
  const rows = costs.map((d) => ({ design: d.design, usd: d.perUnitUsd }));
  const extra = costs.findIndex((d) => d.design.endsWith("(extra)"));
  if (extra > 0) rows.splice(extra + 1, 0, { design: `${costs[0]!.design} + real-time link`, usd: costs[0]!.perUnitUsd + costs[extra]!.perUnitUsd });
  return rows;
}

interface Variant {
  head: string;
  volumeFactor: number;
  assumptions: Assumptions;
  specs?: FunctionSpecs;
}

/** Rows per path and design, one column per variant of the inputs. */
function variantsTable(input: ReportInput, prices: PriceTable, variants: Variant[], paths?: PathName[]): string {
  const rows: string[][] = [];
  for (const unit of pathUnits(input.assumptions).filter((u) => !paths || paths.includes(u.path))) {
    const columns = variants.map((v) => perUnitRows(designCosts(unit, input.measured, v.specs ?? input.specs, unit.volume * v.volumeFactor, v.assumptions, prices)));
    columns[0]!.forEach((row, i) => rows.push([unit.unit, row.design, ...columns.map((c) => formatUsd(c[i]!.usd))]));
  }
  return table(["per", "design", ...variants.map((v) => v.head)], ["---", "---", ...variants.map(() => "---:")], rows);
}

export function summary(input: ReportInput, prices: PriceTable): string {
  const factors = input.volumeFactors ?? [0.1, 1, 10];
  return variantsTable(
    input,
    prices,
    factors.map((f) => ({ head: `${f === 1 ? "**scenario**" : `${f}×`} volume`, volumeFactor: f, assumptions: input.assumptions })),
  );
}

/**
 * GA at the scenario's volume with ga-bronze waiting longer for its batches: fewer, larger bronze files and
 * announcements (and fewer invocations), against bronze that is up to the window late.
 */
export function batchWindowSensitivity(input: ReportInput, prices: PriceTable): string {
  const wired = queueOf(input.specs, "ga-bronze");
  const windows = [...new Set([wired.batchWindowSeconds, 5, 20, 60])];
  return variantsTable(
    input,
    prices,
    windows.map((w) => ({
      head: `ga-bronze window ${w} s${w === wired.batchWindowSeconds ? " (wired)" : ""}`,
      volumeFactor: 1,
      assumptions: input.assumptions,
      specs: { ...input.specs, "ga-bronze": { ...specOf(input.specs, "ga-bronze"), queue: { ...wired, batchWindowSeconds: w } } },
    })),
    ["ga"],
  );
}

/** The same at the scenario's volume with Lambda's CPU assumed faster or slower than this machine's. */
export function cpuSensitivity(input: ReportInput, prices: PriceTable): string {
  return variantsTable(
    input,
    prices,
    [0.5, 1, 2].map((f) => ({ head: `Lambda CPU ${f === 1 ? "as fast as" : f < 1 ? `${1 / f}× faster than` : `${f}× slower than`} this machine`, volumeFactor: 1, assumptions: { ...input.assumptions, cpuSpeedFactor: input.assumptions.cpuSpeedFactor * f } })),
  );
}
