/** Rows as an aligned text table for the terminal (JSON output is `--json`). */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(no rows)";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === null || v === undefined ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v));
  const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  const body = rows.map((r) => columns.map((c) => clip(cell(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i]!)).join(" | ").trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...body.map(line)].join("\n") + `\n(${rows.length} row${rows.length === 1 ? "" : "s"})`;
}
