/**
 * `tributary cdc status [--json]` and `tributary snapshot <source> [--tables a,b]`. Both talk to the local
 * platform's CDC admin routes: a running `tributary dev` on TRIBUTARY_PORT when there is one, else a platform
 * started for the command (same TRIBUTARY_HOME, so the same offsets and lake).
 */
import { Presets, SingleBar } from "cli-progress";
import type { OffsetStatus } from "@tributary/core/cdc";
import { CDC_SNAPSHOT_PATH, CDC_STATUS_PATH, startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";
import { formatTable } from "./table";

const SNAPSHOT_WAIT_MS = 60 * 60_000;

/** Runs `fn` against the running platform's URL, or against one started for it. */
async function withPlatform<T>(settings: LocalSettings, configPath: string, fn: (url: string) => Promise<T>): Promise<T> {
  const running = `http://127.0.0.1:${settings.port}`;
  const alive = await fetch(`${running}${CDC_STATUS_PATH}`, { signal: AbortSignal.timeout(1500) }).then((r) => r.ok, () => false);
  if (alive) return fn(running);
  const { config } = await loadConfig(configPath);
  const platform = await startLocalPlatform({ settings: { ...settings, port: 0 }, config, log: () => undefined }).catch((error: Error) => {
    if (!/lock/i.test(error.message)) throw error;
    throw new Error(`cdc: a local platform holds ${settings.home} but does not answer on port ${settings.port}; set TRIBUTARY_PORT to its port`, { cause: error });
  });
  try {
    return await fn(platform.url);
  } finally {
    await platform.stop();
  }
}

async function statusOf(url: string): Promise<OffsetStatus[]> {
  const res = await fetch(`${url}${CDC_STATUS_PATH}`);
  if (!res.ok) throw new Error(`cdc: status answered HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { offsets: OffsetStatus[] }).offsets;
}

export async function runCdcStatus(settings: LocalSettings, configPath: string, json: boolean): Promise<void> {
  const offsets = await withPlatform(settings, configPath, statusOf);
  if (json) {
    console.log(JSON.stringify(offsets, null, 2));
    return;
  }
  if (offsets.length === 0) {
    console.log("no CDC offsets yet: the cdc-poll schedule has not run (tributary dev polls each source on its schedule)");
    return;
  }
  console.log(
    formatTable(
      offsets.map((o) => ({
        table: `${o.source}.${o.table}`,
        instance: o.captureInstance,
        position: o.position,
        snapshot: o.snapshot,
        "lag s": o.lagSeconds,
        "polled s ago": o.polledSecondsAgo,
        landed: o.rowsLanded,
        quarantined: o.rowsQuarantined,
        problems: o.problems,
      })),
    ),
  );
}

export async function runSnapshot(settings: LocalSettings, configPath: string, source: string, tables: string[] | undefined): Promise<void> {
  await withPlatform(settings, configPath, async (url) => {
    const res = await fetch(`${url}${CDC_SNAPSHOT_PATH}/${encodeURIComponent(source)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(tables ? { tables } : {}),
    });
    const answer = (await res.json()) as { tables?: string[]; error?: string };
    if (res.status !== 202) throw new Error(answer.error ?? `cdc: snapshot answered HTTP ${res.status}`);
    const wanted = answer.tables!;
    console.log(`snapshot of ${source}: ${wanted.join(", ")}`);
    const bar = new SingleBar({ format: "  {bar} {percentage}% | {value}/{total} rows | {tables} | {duration}s", hideCursor: true }, Presets.shades_classic);
    bar.start(1, 0, { tables: "" });
    const deadline = Date.now() + SNAPSHOT_WAIT_MS;
    let mine: OffsetStatus[];
    for (;;) {
      mine = (await statusOf(url)).filter((o) => o.source === source && wanted.includes(o.table));
      bar.setTotal(Math.max(1, mine.reduce((n, o) => n + (o.snapshotTotalRows ?? o.snapshotRows), 0)));
      bar.update(mine.reduce((n, o) => n + o.snapshotRows, 0), { tables: mine.map((o) => `${o.table}: ${o.snapshotStatus}`).join(", ") });
      const failed = mine.filter((o) => o.problems && o.snapshotStatus !== "done");
      if (failed.length > 0) {
        bar.stop();
        throw new Error(`cdc: snapshot failed: ${failed.map((o) => `${o.table}: ${o.problems}`).join("; ")}`);
      }
      if (mine.length === wanted.length && mine.every((o) => o.snapshotStatus === "done")) break;
      if (Date.now() > deadline) throw new Error(`cdc: snapshot of ${source} did not finish within ${SNAPSHOT_WAIT_MS / 60_000} minutes`);
      await new Promise((r) => setTimeout(r, 300));
    }
    bar.stop();
    console.log(formatTable(mine.map((o) => ({ table: `${o.source}.${o.table}`, snapshot: o.snapshot, position: o.position }))));
  });
}
