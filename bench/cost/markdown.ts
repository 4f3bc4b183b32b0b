/** Markdown and number formatting for the cost report. */

/**
 * Dollars with the digits that matter: $1234, $12.3, $1.23, $0.123, $0.0012.
 *
 * @example formatUsd(0.001234) // "$0.0012"
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd >= 100) return `$${usd.toFixed(0)}`;
  if (usd >= 10) return `$${usd.toFixed(1)}`;
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(3)}`;
  return `$${usd.toPrecision(2)}`;
}

/** A number with about three significant digits, plain (no exponent) down to 0.0001. */
export function formatNumber(n: number): string {
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 0.1) return n.toFixed(2);
  if (abs >= 0.0001) return n.toPrecision(2);
  return n.toExponential(1);
}

export const table = (head: string[], align: string[], rows: string[][]) =>
  [`| ${head.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
