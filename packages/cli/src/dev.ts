/**
 * `tributary dev`: the local platform in the foreground; Ctrl-C stops it cleanly (queues are durable either way).
 * `--simulate-changes` keeps the embedded stand-in sources busy with inserts, updates and deletes, so the CDC
 * path has something to capture.
 */
import { ChangeGenerator } from "@tributary/core/cdc";
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";

const SIMULATE_EVERY_MS = 5_000;
const CHANGES_PER_TICK = 5;

export async function runDev(settings: LocalSettings, configPath: string, options: { simulateChanges?: boolean } = {}): Promise<void> {
  const { config, path } = await loadConfig(configPath);
  // As on AWS: the medallion workflow runs on its schedule and when a partner file lands.
  const platform = await startLocalPlatform({ settings, config, log: console.log, startMachines: true });
  const timers: NodeJS.Timeout[] = [];
  if (options.simulateChanges) {
    for (const source of config.sources) {
      const embedded = await platform.changeSources.embedded(source.name);
      if (!embedded) continue;
      const generator = new ChangeGenerator(embedded, config, { seed: Date.now() % 100_000 });
      timers.push(setInterval(() => void generator.step(CHANGES_PER_TICK).catch((e: Error) => console.error(`dev: change simulation: ${e.message}`)), SIMULATE_EVERY_MS));
      console.log(`  simulating ${CHANGES_PER_TICK} changes every ${SIMULATE_EVERY_MS / 1000}s in the embedded source ${source.name}`);
    }
  }
  console.log(`config: ${path}\nready — Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("stopping…");
  for (const timer of timers) clearInterval(timer);
  await platform.stop();
}
