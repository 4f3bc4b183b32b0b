/**
 * The demo's reconciliation: waits until every flow's sent records are found in bronze or quarantine (with a
 * progress bar), and prints the table — sent = refused at the edge + landed + quarantined, per flow, ✓ or ✗.
 */
import { Presets, SingleBar } from "cli-progress";
import type { LakeQuery } from "@tributary/core/catalog";
import type { TributaryConfig } from "@tributary/core/config";
import type { ReconciliationLine } from "@tributary/core/reconcile";
import type { DemoTally } from "./demo-tally";
import { formatTable } from "./table";

const POLL_MS = 500;
const FOUND = "records found in bronze or quarantine";

/**
 * Polls until every flow reconciles, one finds more than was sent (waiting cannot fix that), or `timeoutMs`
 * passes; returns the last lines either way.
 */
export async function waitForReconciliation(
  tally: DemoTally,
  config: TributaryConfig,
  openLake: () => Promise<LakeQuery>,
  options: { timeoutMs: number; progress?: boolean },
): Promise<ReconciliationLine[]> {
  const deadline = Date.now() + options.timeoutMs;
  // A bar only when there is something to wait for; a run found complete at once gets one line.
  let bar: SingleBar | undefined;
  try {
    for (;;) {
      const lake = await openLake();
      let lines: ReconciliationLine[];
      try {
        lines = await tally.reconcile(lake, config);
      } finally {
        await lake.close();
      }
      const expected = lines.reduce((n, l) => n + l.expected, 0);
      const found = lines.reduce((n, l) => n + l.landed + l.quarantined, 0);
      const done = lines.every((l) => l.ok) || lines.some((l) => l.unexpected > 0) || Date.now() > deadline;
      if (bar) {
        bar.setTotal(expected);
        bar.update(found);
      } else if (options.progress && !done) {
        bar = new SingleBar({ format: `  {bar} {value}/{total} ${FOUND} | {duration}s`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
        bar.start(expected, found);
      } else if (options.progress) {
        console.log(`  ${found}/${expected} ${FOUND}`);
      }
      if (done) return lines;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    bar?.stop();
  }
}

/** The reconciliation table, one row per flow. */
export function formatReconciliation(lines: ReconciliationLine[]): string {
  return formatTable(
    lines.map((l) => ({
      flow: l.flow,
      unit: l.unit,
      sent: l.sent,
      "refused (4xx)": l.refused,
      landed: l.landed,
      quarantined: l.quarantined,
      "= sent?": `${l.refused + l.landed + l.quarantined} ${l.ok ? "✓" : "✗"}`,
      missing: l.missing,
      unexpected: l.unexpected,
      "redelivered copies": l.copies,
    })),
  );
}
