/**
 * Which records of a dataset one reconciliation covers, as SQL predicates over its bronze and quarantine tables:
 * the records a sender tagged (an id prefix, a landing-key prefix) or a source's change window (an LSN range).
 * Quarantine rows keep the record only as raw text and an origin, so each scope says how to find its records there.
 */
import type { Dataset } from "../config";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";
import { ScopeMismatchError } from "./errors";

export type RecordScope =
  /** Records whose `column` starts with `prefix` (a stream's id column, GA's client_id). */
  | { kind: "id-prefix"; column: string; prefix: string }
  /** Rows of the files whose landing key starts with `prefix` (e.g. `landing/lab_results/run-42-`). */
  | { kind: "file-prefix"; prefix: string }
  /** CDC change rows committed at an LSN in (`after`, `upTo`]; snapshot rows excluded. LSNs are 20 hex digits. */
  | { kind: "lsn-range"; after: string; upTo: string };

export interface ScopePredicates {
  bronze: string;
  quarantine: string;
}

const LSN = /^[0-9A-F]{20}$/;

/** How the scope reads in messages. */
export function describeScope(scope: RecordScope): string {
  switch (scope.kind) {
    case "id-prefix":
      return `${scope.column} starting ${JSON.stringify(scope.prefix)}`;
    case "file-prefix":
      return `files under ${JSON.stringify(scope.prefix)}`;
    case "lsn-range":
      return `LSNs (${scope.after}, ${scope.upTo}]`;
  }
}

/**
 * @example scopePredicates(userEvents, { kind: "id-prefix", column: "request_id", prefix: "run-7-" }).bronze
 * // "starts_with(CAST(\"request_id\" AS VARCHAR), 'run-7-')"
 */
export function scopePredicates(dataset: Dataset, scope: RecordScope): ScopePredicates {
  const mismatch = (reason: string) => new ScopeMismatchError(dataset.name, describeScope(scope), reason);
  switch (scope.kind) {
    case "id-prefix": {
      if (!dataset.columns.some((c) => c.name === scope.column && !c.lineage)) throw mismatch(`it has no column ${scope.column}`);
      if (scope.prefix === "") throw mismatch("the prefix is empty, so it would select every record");
      // Quarantined stream and GA records keep the record as compact JSON: the column's value starts after `"col":"`.
      const needle = `${JSON.stringify(scope.column)}:${JSON.stringify(scope.prefix).slice(0, -1)}`;
      return {
        bronze: `starts_with(CAST(${sqlIdent(scope.column)} AS VARCHAR), ${sqlLiteral(scope.prefix)})`,
        quarantine: `contains(coalesce(_raw, ''), ${sqlLiteral(needle)})`,
      };
    }
    case "file-prefix":
      if (dataset.kind !== "file") throw mismatch(`it is a ${dataset.kind} dataset, not a file feed`);
      if (!scope.prefix.startsWith("landing/")) throw mismatch("file prefixes are landing keys (landing/<feed>/…)");
      // A quarantined file row's origin is `<landing key>:<row number>`.
      return { bronze: `starts_with(_file, ${sqlLiteral(scope.prefix)})`, quarantine: `starts_with(coalesce(_origin, ''), ${sqlLiteral(scope.prefix)})` };
    case "lsn-range": {
      if (dataset.kind !== "cdc") throw mismatch(`it is a ${dataset.kind} dataset, not a CDC table`);
      if (!LSN.test(scope.after) || !LSN.test(scope.upTo)) throw mismatch("LSNs must be 20 upper-case hex digits");
      // Fixed-width upper-case hex compares as text in LSN order. A quarantined change's origin is
      // `<source>.<dataset>@<lsn>/<seqval>/<op>`.
      const inRange = (lsn: string) => `${lsn} > ${sqlLiteral(scope.after)} AND ${lsn} <= ${sqlLiteral(scope.upTo)}`;
      return {
        bronze: `${inRange("_lsn")} AND _op <> 'snapshot'`,
        quarantine: `${inRange("split_part(split_part(coalesce(_origin, ''), '@', 2), '/', 1)")} AND split_part(coalesce(_origin, ''), '/', 3) <> 'snapshot'`,
      };
    }
  }
}
