/**
 * Reconciliation of one flow: what its senders counted against what arrived. Records refused at the edge (the
 * sender got a 4xx and knows) never entered the pipeline; every other record must be in bronze or in quarantine,
 * once: `sent = refused + landed + quarantined`. Redelivered copies in bronze are allowed (delivery is
 * at-least-once, silver dedupes by record id) and shown, but do not count twice.
 */
import type { Arrivals } from "./arrivals";
import { NotReconciledError } from "./errors";

export interface SentCount {
  /** Records (events, rows, change rows) the senders sent. */
  sent: number;
  /** Of those, refused at the edge with a 4xx: the sender was told, nothing was kept. */
  refused: number;
}

export interface ReconciliationLine extends SentCount, Arrivals {
  flow: string;
  /** What one record is: "records", "events", "rows", "change rows". */
  unit: string;
  /** `sent - refused`: what must be found in bronze or quarantine. */
  expected: number;
  /** Expected but found nowhere. */
  missing: number;
  /** Found but never sent (another run's records in scope, or a record under two ids). */
  unexpected: number;
  ok: boolean;
}

/**
 * @example reconcileFlow("user_events", "records", { sent: 10, refused: 1 }, { landed: 9, copies: 0, quarantined: 0 }).ok // true
 */
export function reconcileFlow(flow: string, unit: string, sent: SentCount, arrivals: Arrivals): ReconciliationLine {
  const expected = sent.sent - sent.refused;
  const found = arrivals.landed + arrivals.quarantined;
  const missing = Math.max(0, expected - found);
  const unexpected = Math.max(0, found - expected);
  return { flow, unit, ...sent, ...arrivals, expected, missing, unexpected, ok: missing === 0 && unexpected === 0 };
}

/**
 * Throws NotReconciledError naming every flow that does not reconcile.
 *
 * @example assertReconciled(lines); // throws "reconcile: orders: 40 expected, 38 landed + 0 quarantined"
 */
export function assertReconciled(lines: ReconciliationLine[]): void {
  const failed = lines.filter((l) => !l.ok);
  if (failed.length > 0) throw new NotReconciledError(failed);
}
