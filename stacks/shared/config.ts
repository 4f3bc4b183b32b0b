/**
 * The Tributary config as the stacks see it: validated with `parseConfig` when the first stack is built, so a
 * bad config fails `sst deploy`/synth with the offending path before any AWS resource is declared.
 * Tests hand in another config through the app's context (`CONFIG_CONTEXT_KEY`); deploys use the shipped file.
 */
import type { App } from "sst/constructs";
import { parseConfig, type TributaryConfig } from "@tributary/core/config";
import shippedConfig from "../../tributary.config";

/** App context key holding a raw (unparsed) config that replaces `tributary.config.ts`. */
export const CONFIG_CONTEXT_KEY = "tributary:config";

const parsedByApp = new WeakMap<App, TributaryConfig>();

/** The parsed config of this app; parsed once per app, throwing `InvalidConfigError` listing every bad path. */
export function tributaryConfig(app: App): TributaryConfig {
  const cached = parsedByApp.get(app);
  if (cached) return cached;
  const override: unknown = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  const config =
    override === undefined
      ? parseConfig(shippedConfig, "tributary.config.ts")
      : parseConfig(override, `the config in app context "${CONFIG_CONTEXT_KEY}"`);
  parsedByApp.set(app, config);
  return config;
}
