/** Errors of the reconcile domain. Messages start with `reconcile:` and carry the value that was wrong. */
import type { ReconciliationLine } from "./reconcile";

export class ReconcileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReconcileError";
  }
}

/** A scope that cannot select records of the dataset it was paired with (a file prefix on a stream, an unknown column). */
export class ScopeMismatchError extends ReconcileError {
  constructor(
    readonly dataset: string,
    readonly scope: string,
    reason: string,
  ) {
    super(`reconcile: scope ${scope} does not fit dataset ${dataset}: ${reason}`);
    this.name = "ScopeMismatchError";
  }
}

/** Some flow's sent records are not all accounted for in bronze and quarantine (or more arrived than were sent). */
export class NotReconciledError extends ReconcileError {
  constructor(readonly lines: ReconciliationLine[]) {
    super(`reconcile: ${lines.map((l) => `${l.flow}: ${l.expected} expected, ${l.landed} landed + ${l.quarantined} quarantined`).join("; ")}`);
    this.name = "NotReconciledError";
  }
}
