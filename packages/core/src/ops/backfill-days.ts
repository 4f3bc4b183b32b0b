/**
 * The `dt=` partitions a backfill covers: every calendar day from `from` to `to`, both included. Bronze partitions
 * by UTC day (`dt=YYYY-MM-DD`), so days are UTC days.
 */
import { InvalidBackfillDateError, InvalidBackfillRangeError } from "./backfill-errors";

/** About ten years of days: a longer range is a typo, and each day costs a listing. */
export const MAX_BACKFILL_DAYS = 3660;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * @example backfillDays("2026-02-27", "2026-03-01") // ["2026-02-27", "2026-02-28", "2026-03-01"]
 */
export function backfillDays(from: string, to: string): string[] {
  const start = dayOf("from", from);
  const end = dayOf("to", to);
  if (start > end) throw new InvalidBackfillRangeError(from, to, "--from is after --to");
  const count = (end - start) / DAY_MS + 1;
  if (count > MAX_BACKFILL_DAYS) throw new InvalidBackfillRangeError(from, to, `it spans ${count} days; a backfill covers at most ${MAX_BACKFILL_DAYS}`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** Epoch ms of the day's UTC midnight; refuses shapes like `2026-3-1` and days like `2026-02-30`. */
function dayOf(option: "from" | "to", value: string): number {
  const match = DATE.exec(value);
  if (!match) throw new InvalidBackfillDateError(option, value);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over into March: a day that does not round-trip does not exist.
  if (new Date(ms).toISOString().slice(0, 10) !== value) throw new InvalidBackfillDateError(option, value);
  return ms;
}
