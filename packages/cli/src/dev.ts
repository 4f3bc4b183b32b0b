/** `tributary dev`: the local platform in the foreground; Ctrl-C stops it cleanly (queues are durable either way). */
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";

export async function runDev(settings: LocalSettings, configPath: string): Promise<void> {
  const { config, path } = await loadConfig(configPath);
  const platform = await startLocalPlatform({ settings, config, log: console.log });
  console.log(`config: ${path}\nready — Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("stopping…");
  await platform.stop();
}
