/**
 * The row validator derived from a dataset declaration: coerces a raw record (JSON object, CSV row, driver row)
 * into canonical values, or says field by field why it cannot.
 */
import { coercerOf, type CanonicalValue } from "./column-types";
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
  // Everything per column is looked up once here: a file calls the validator once per row, millions of times.
  const columns = dataset.columns.filter((c) => !c.lineage).map((c) => ({ name: c.name, nullable: c.nullable, coerce: coercerOf(c.type) }));
  const known = new Set(columns.map((c) => c.name));
  const rejectUnknown = (options.unknownFields ?? "reject") === "reject";
  const unknownReason = `unknown field (dataset ${dataset.name} declares ${[...known].join(", ")})`;
  return (raw) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      return { ok: false, problems: [{ field: "(record)", reason: `expected a JSON object, got ${Array.isArray(raw) ? "an array" : raw === null ? "null" : typeof raw}` }] };
    }
    const input = raw as Record<string, unknown>;
    const row: Row = {};
    let problems: FieldProblem[] | undefined;
    let present = 0;
    for (const c of columns) {
      const value = input[c.name];
      if (value !== undefined) present += 1;
      if (value === undefined || value === null) {
        if (!c.nullable) (problems ??= []).push({ field: c.name, reason: "required" });
        row[c.name] = null;
        continue;
      }
      const coerced = c.coerce(value);
      if (coerced.ok) row[c.name] = coerced.value;
      else (problems ??= []).push({ field: c.name, reason: coerced.reason });
    }
    // Cheap common case first: as many own keys as declared columns present means there is no unknown one.
    if (rejectUnknown && countOwnKeys(input) !== present) {
      for (const field of Object.keys(input)) {
        if (!known.has(field)) (problems ??= []).push({ field, reason: unknownReason });
      }
    }
    return problems === undefined ? { ok: true, row } : { ok: false, problems };
  };
}

function countOwnKeys(object: Record<string, unknown>): number {
  let count = 0;
  for (const key in object) if (Object.hasOwn(object, key)) count += 1;
  return count;
}

/** One line per problem: `field: reason; field: reason`. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.reason}`).join("; ");
}
