/**
 * `tributary replay dlq <queue>` and `tributary backfill <dataset> --from <date> --to <date>`. Both start the local
 * platform on TRIBUTARY_HOME (as `tributary ingest` does), so the consumers run while the command does: replayed
 * messages and re-announced files are processed before it exits, with a progress bar for each phase.
 */
import { Presets, SingleBar } from "cli-progress";
import type { TributaryConfig } from "@tributary/core/config";
import { LOCAL_BUCKET, startLocalPlatform, type LocalPlatform, type LocalSettings } from "@tributary/core/local";
import { backfillDataset, checkBackfill, localRedrivePort, replayDeadLetters, replayTarget } from "@tributary/core/ops";
import { wiring, type QueueName } from "@tributary/core/wiring";
import { loadConfig } from "./load-config";
import { formatTable } from "./table";

/** A consumer may legitimately take long (file-ingest runs up to 15 minutes per file). */
const PROCESS_WAIT_MS = 30 * 60_000;

export async function runReplayDlq(settings: LocalSettings, configPath: string, queueName: string): Promise<void> {
  const { config } = await loadConfig(configPath);
  // Checked before the platform starts: a typo answers at once with the declared queues.
  const { queue, deadLetterQueue } = replayTarget(queueName, wiring(config, { lakeBucket: LOCAL_BUCKET }).queues);
  await withPlatform(settings, config, "replay", async (platform, failures) => {
    const bar = progressBar("{bar} {percentage}% | {value}/{total} moved | {failed} failed | {duration}s");
    bar.start(1, 0, { failed: 0 });
    const outcome = await replayDeadLetters(localRedrivePort(platform.queues), queue, platform.wiring.queues, {
      onProgress: (p) => {
        bar.setTotal(Math.max(1, p.found));
        bar.update(p.moved, { failed: p.failed });
      },
    });
    bar.stop();
    console.log(`moved ${outcome.moved} of ${outcome.found} message(s) from ${deadLetterQueue} to ${queue}; ${outcome.failed} failed`);
    for (const problem of outcome.problems) console.log(`  ${problem}`);
    if (outcome.moved > 0) await waitForConsumers(platform, queue, failures);
    const back = platform.queues.get(deadLetterQueue)!.depth();
    if (back.visible + back.inFlight > 0) console.log(`${deadLetterQueue} now holds ${back.visible + back.inFlight} message(s)`);
    if (outcome.failed > 0 || outcome.problems.length > 0) throw new Error(`replay: finished with problems (${outcome.failed} message(s) not moved, still in ${deadLetterQueue}); see above`);
  });
}

export async function runBackfill(settings: LocalSettings, configPath: string, dataset: string, from: string, to: string): Promise<void> {
  const { config } = await loadConfig(configPath);
  checkBackfill(config, { dataset, from, to });
  await withPlatform(settings, config, "backfill", async (platform, failures) => {
    const bar = progressBar("{bar} {percentage}% | {value}/{total} files announced | {rows} rows | {duration}s");
    bar.start(1, 0, { rows: 0 });
    const outcome = await backfillDataset(platform.ports, { dataset, from, to }, {
      onProgress: (p) => {
        bar.setTotal(Math.max(1, p.files));
        bar.update(p.announced, { rows: p.rows });
      },
    });
    bar.stop();
    console.log(formatTable([{ dataset: outcome.dataset, from: outcome.from, to: outcome.to, partitions: outcome.partitions.length, files: outcome.files, rows: outcome.rows }]));
    if (outcome.files === 0) return;
    // Announcements reach the link function through the bus and the link-requests queue.
    await platform.bus.drain();
    await waitForConsumers(platform, "link-requests", failures);
  });
}

type ConsumerFailures = Map<string, string>;

/** Runs `fn` against a platform started on the same home; consumer failures since its start are collected per function. */
async function withPlatform(settings: LocalSettings, config: TributaryConfig, command: string, fn: (platform: LocalPlatform, failures: ConsumerFailures) => Promise<void>): Promise<void> {
  const failures: ConsumerFailures = new Map();
  const log = (line: string) => {
    // The platform reports a failed invocation as `local: <function> failed: <ErrorName>: <message>\n<stack>`.
    const failed = /^local: (\S+) failed: (?:\w+Error: )?(.*)/.exec(line);
    if (failed) failures.set(failed[1]!, failed[2]!.split("\n")[0]!);
  };
  const platform = await startLocalPlatform({ settings: { ...settings, port: 0 }, config, log }).catch((error: Error) => {
    if (!/lock/i.test(error.message)) throw error;
    throw new Error(`${command}: a local platform is already running on ${settings.home} and owns its queues; stop it (Ctrl-C in \`tributary dev\`) and run ${command} again`, { cause: error });
  });
  try {
    await fn(platform, failures);
  } finally {
    await platform.stop();
  }
}

/**
 * Follows the queue until its consumers have taken everything in it. A consumer that fails again ends the wait
 * with its error: the messages are retried after the visibility timeout, then dead-lettered again.
 */
async function waitForConsumers(platform: LocalPlatform, queueName: QueueName, failures: ConsumerFailures): Promise<void> {
  const queue = platform.queues.get(queueName)!;
  const maxReceiveCount = platform.wiring.queues.find((q) => q.name === queueName)!.maxReceiveCount;
  const consumers = platform.wiring.functions.filter((f) => f.triggers.some((t) => t.kind === "queue" && t.queue === queueName)).map((f) => f.name);
  const pending = () => queue.depth().visible + queue.depth().inFlight;
  const start = pending();
  const bar = progressBar(`{bar} {percentage}% | {value}/{total} processed by ${consumers.join(", ")} | {duration}s`);
  bar.start(Math.max(1, start), 0);
  const deadline = Date.now() + PROCESS_WAIT_MS;
  let failure: string | undefined;
  while (pending() > 0 && Date.now() < deadline) {
    failure = consumers.map((c) => failures.get(c) && `${c} failed again: ${failures.get(c)}`).find(Boolean);
    if (failure) break;
    bar.setTotal(Math.max(start, pending(), 1));
    bar.update(Math.max(0, start - pending()));
    await new Promise((r) => setTimeout(r, 200));
  }
  const left = pending();
  if (left === 0) bar.update(bar.getTotal());
  bar.stop();
  if (failure) throw new Error(`${queueName}: ${failure}\n${left} message(s) still in ${queueName} are retried after its visibility timeout, and dead-lettered again after ${maxReceiveCount} receives`);
  if (left > 0) throw new Error(`${queueName}: ${left} message(s) were not processed within ${PROCESS_WAIT_MS / 60_000} minutes; they stay queued for the next \`tributary dev\``);
}

function progressBar(format: string): SingleBar {
  return new SingleBar({ format: `  ${format}`, hideCursor: true, noTTYOutput: false }, Presets.shades_classic);
}
