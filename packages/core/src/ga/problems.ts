/**
 * What the GA validators answer instead of throwing: every problem of a hit at once, each naming where it is
 * (`events[2].params.value`, `user_properties.tier.value`, `tid`) and why, so a client can fix all of them in
 * one go and the quarantine row says exactly what was wrong.
 */

export interface GaProblem {
  /** Where the problem is: a dotted path into the GA4 body, or the UA parameter name. `(body)` for the whole. */
  path: string;
  reason: string;
}

/**
 * One line per problem: `path: reason; path: reason`.
 *
 * @example describeGaProblems([{ path: "events[0].name", reason: '"error" is a reserved event name' }])
 * // 'events[0].name: "error" is a reserved event name'
 */
export function describeGaProblems(problems: readonly GaProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.reason}`).join("; ");
}

/** A value shown inside a reason: JSON, cut short so a 100 kB string cannot flood a log line. */
export function showValue(value: unknown): string {
  const shown = value === undefined ? "undefined" : JSON.stringify(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}
