/**
 * The row validator derived from a dataset declaration: coerces a raw record (JSON object, CSV row, driver row)
 * into canonical values, or says field by field why it cannot.
 */
import { coerceValue, type CanonicalValue } from "./column-types";
import type { Dataset } from "./datasets";

export type Row = Record<string, CanonicalValue>;
export interface FieldProblem {
  field: string;
  reason: string;
}
export type RowResult = { ok: true; row: Row } | { ok: false; problems: FieldProblem[] };

export interface RowValidatorOptions {
  /** What to do with fields the dataset does not declare. Default: reject, so typos surface. */
  unknownFields?: "reject" | "ignore";
}

/**
 * Compiles the validator for a dataset's declared columns (lineage columns are added by the writers).
 *
 * @example
 * const validate = compileRowValidator(datasetNamed(config, "user_events"));
 * validate({ request_id: "r1", request_timestamp: "2026-01-01T00:00:00Z" }); // { ok: true, row: {...} }
 */
export function compileRowValidator(dataset: Dataset, options: RowValidatorOptions = {}): (raw: unknown) => RowResult {
  const columns = dataset.columns.filter((c) => !c.lineage);
  const known = new Set(columns.map((c) => c.name));
  const rejectUnknown = (options.unknownFields ?? "reject") === "reject";
  return (raw) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      return { ok: false, problems: [{ field: "(record)", reason: `expected a JSON object, got ${Array.isArray(raw) ? "an array" : raw === null ? "null" : typeof raw}` }] };
    }
    const input = raw as Record<string, unknown>;
    const row: Row = {};
    const problems: FieldProblem[] = [];
    for (const c of columns) {
      const value = input[c.name];
      if (value === undefined || value === null) {
        if (!c.nullable) problems.push({ field: c.name, reason: "required" });
        row[c.name] = null;
        continue;
      }
      const coerced = coerceValue(c.type, value);
      if (coerced.ok) row[c.name] = coerced.value;
      else problems.push({ field: c.name, reason: coerced.reason });
    }
    if (rejectUnknown) {
      for (const field of Object.keys(input)) {
        if (!known.has(field)) problems.push({ field, reason: `unknown field (dataset ${dataset.name} declares ${[...known].join(", ")})` });
      }
    }
    return problems.length === 0 ? { ok: true, row } : { ok: false, problems };
  };
}

/** One line per problem: `field: reason; field: reason`. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.reason}`).join("; ");
}
