/**
 * Checking a file's columns (CSV header, Parquet schema) against its feed before any row is read.
 *
 * Decision: a column the feed does not declare, or a missing non-nullable column, refuses the whole file
 * (`HeaderMismatchError`, recorded under `manifests/rejected/`, not retried) rather than quarantining every row.
 * It is a problem of the file, not of its rows: refusing it costs nothing, leaves bronze untouched, says once
 * what is wrong, and once the feed's config is fixed the same file can be delivered again — a file whose every
 * row sat in quarantine would instead count as ingested and be skipped on redelivery.
 * A missing nullable column is fine: its values land as nulls.
 */
import type { Dataset } from "../config";

/**
 * The names the file's columns are matched by: surrounding spaces do not count.
 *
 * @example normaliseHeader([" kit_barcode ", "test_code"]) // ["kit_barcode", "test_code"]
 */
export function normaliseHeader(names: readonly string[]): string[] {
  return names.map((name) => name.trim());
}

/**
 * Why a file with these columns cannot be read into the dataset, or undefined when it can.
 *
 * @example headerProblem(labResults, ["kit_barcode", "colour"]) // "column \"colour\" is not declared by feed lab_results …"
 */
export function headerProblem(dataset: Dataset, names: readonly string[]): string | undefined {
  const declared = dataset.columns.filter((c) => !c.lineage);
  const known = new Set(declared.map((c) => c.name));
  const problems: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") problems.push(`column ${i + 1} has no name`);
    else if (seen.has(name)) problems.push(`column ${JSON.stringify(name)} appears twice`);
    seen.add(name);
  });
  const unknown = names.filter((name) => name !== "" && !known.has(name));
  if (unknown.length > 0) {
    const bom = unknown[0]!.startsWith("\u00EF\u00BB\u00BF") ? " (it starts with a UTF-8 byte order mark read as latin1: is the file utf8?)" : "";
    problems.push(
      `${unknown.length === 1 ? "column" : "columns"} ${unknown.map((n) => JSON.stringify(n)).join(", ")} ${unknown.length === 1 ? "is" : "are"} not declared by feed ${dataset.name}${bom}`,
    );
  }
  const missing = declared.filter((c) => !c.nullable && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) problems.push(`required (non-nullable) ${missing.length === 1 ? "column" : "columns"} ${missing.join(", ")} missing`);
  if (problems.length === 0) return undefined;
  return `${problems.join("; ")} (the feed declares ${declared.map((c) => c.name).join(", ")})`;
}
