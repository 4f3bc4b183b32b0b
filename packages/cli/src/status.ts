/**
 * `tributary status [--json]`: per dataset its freshness against the SLO, silver's version, CDC lag per table,
 * queue and dead-letter depths, and the last medallion runs. Read from a running `tributary dev` on TRIBUTARY_PORT
 * when there is one (its `/status.json`, which its status page draws), else from a platform started for the
 * command over the same TRIBUTARY_HOME — the same lake, offsets and queues.
 */
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { formatAge, STATUS_JSON_PATH, STATUS_PAGE_PATH, type PlatformStatus } from "@tributary/core/ops";
import { loadConfig } from "./load-config";
import { formatTable } from "./table";

/** Reading a big lake's status takes a while; a port nobody listens on refuses at once. */
const STATUS_TIMEOUT_MS = 60_000;

async function fetchStatus(url: string): Promise<PlatformStatus> {
  const res = await fetch(`${url}${STATUS_JSON_PATH}`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`status: ${url}${STATUS_JSON_PATH} answered HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as PlatformStatus;
}

/** The status from the running platform, or from one started (and stopped) for this command. */
async function readStatus(settings: LocalSettings, configPath: string): Promise<{ status: PlatformStatus; pageUrl?: string }> {
  const running = `http://127.0.0.1:${settings.port}`;
  const answered = await fetch(`${running}${STATUS_JSON_PATH}`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) }).catch(() => undefined);
  if (answered) {
    if (!answered.ok) throw new Error(`status: ${running}${STATUS_JSON_PATH} answered HTTP ${answered.status} (is something other than tributary dev on TRIBUTARY_PORT?)`);
    return { status: (await answered.json()) as PlatformStatus, pageUrl: `${running}${STATUS_PAGE_PATH}` };
  }
  const { config } = await loadConfig(configPath);
  const platform = await startLocalPlatform({ settings: { ...settings, port: 0 }, config, log: () => undefined }).catch((error: Error) => {
    if (!/lock/i.test(error.message)) throw error;
    throw new Error(`status: a local platform holds ${settings.home} but does not answer on port ${settings.port}; set TRIBUTARY_PORT to its port`, { cause: error });
  });
  try {
    return { status: await fetchStatus(platform.url) };
  } finally {
    await platform.stop();
  }
}

const age = (seconds: number | null) => (seconds === null ? "no data" : formatAge(seconds));

/** The status as text tables, one section per part. */
export function renderStatus(status: PlatformStatus): string {
  const stale = status.summary.staleDatasets;
  const sections = [
    `status at ${status.generatedAt} — ${stale.length === 0 ? "all datasets within their freshness SLO" : `STALE: ${stale.join(", ")}`}` +
      (status.summary.deadLetterMessages > 0 ? ` — ${status.summary.deadLetterMessages} message(s) in dead-letter queues` : ""),
    "\nDatasets",
    formatTable(
      status.datasets.map((d) => ({
        dataset: d.dataset,
        kind: d.kind,
        "newest record": d.newestRecordAt,
        age: age(d.freshnessSeconds),
        "slo min": d.sloMinutes,
        stale: d.stale ? "STALE" : "",
        "bronze files": d.bronzeFiles,
        unmerged: d.unmergedBronzeFiles,
        "silver version": d.silver?.version ?? null,
        "silver at": d.silver?.createdAt ?? null,
        "cdc lag s": d.cdcLagSeconds,
      })),
    ),
    "\nCDC",
    status.cdc.length === 0
      ? "no CDC offsets yet (the cdc-poll schedule has not run)"
      : formatTable(status.cdc.map((o) => ({ table: `${o.source}.${o.table}`, "lag s": o.lagSeconds, "polled s ago": o.polledSecondsAgo, snapshot: o.snapshot, problems: o.problems }))),
    "\nQueues",
    formatTable(
      status.queues.map((q) => ({
        queue: q.queue,
        visible: q.visible,
        "in flight": q.inFlight,
        "dead-letter queue": q.deadLetter?.queue ?? null,
        "dead letters": q.deadLetter ? q.deadLetter.visible + q.deadLetter.inFlight : null,
      })),
    ),
    "\nWorkflow runs (medallion, newest first)",
    status.workflowRuns.length === 0
      ? "no runs recorded yet"
      : formatTable(
          status.workflowRuns.map((r) => ({
            started: r.startedAt,
            ended: r.endedAt,
            status: r.status,
            silver: r.silverPublished.join(", "),
            gold: r.goldPublished.join(", "),
            "error / note": r.error ? `${r.error.error}: ${r.error.cause}` : r.note,
          })),
        ),
  ];
  const problems = [...status.problems, ...status.datasets.flatMap((d) => d.problems.map((p) => `${d.dataset}: ${p}`))];
  if (problems.length > 0) sections.push("\nProblems", ...problems.map((p) => `  ${p}`));
  return sections.join("\n");
}

export async function runStatus(settings: LocalSettings, configFile: string, json: boolean): Promise<void> {
  const { status, pageUrl } = await readStatus(settings, configFile);
  if (json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  console.log(renderStatus(status));
  if (pageUrl) console.log(`\nstatus page: ${pageUrl}`);
}
