/**
 * How a Lambda finds its ports: resource names read once at cold start from the environment the stacks set
 * (`AWS_ENV`), failing fast with the variable's name; secrets from SST secrets (bound per function, so a
 * function can read only the secrets its wiring names). The local platform provides its own ports before it
 * invokes a handler, so none of this runs there. Subpath imports keep each bundle to the domains it uses.
 */
import * as Config from "@tributary/core/config";
import * as Platform from "@tributary/core/platform";
import * as Wiring from "@tributary/core/wiring";
import shippedConfig from "../../../tributary.config";

const DEFAULT_GA_ENDPOINT = "https://www.google-analytics.com";

Platform.setDefault(() => {
  const config = Config.parseConfig(shippedConfig);
  const declared = Wiring.wiring(config, { lakeBucket: "" });
  const resources = Platform.resourcesFromEnv(process.env, {
    queues: declared.queues.map((q) => q.name),
    tables: declared.tables.map((t) => t.name),
  });
  const secrets: Platform.SecretsPort = {
    // sst/node/config loads the function's bound secrets from SSM on first import (top-level await).
    get: async (name) => ((await import("sst/node/config")).Config as Record<string, string | undefined>)[name],
  };
  const settings = { gaEndpoint: process.env[Platform.AWS_ENV.gaEndpoint] || DEFAULT_GA_ENDPOINT };
  return Platform.awsPorts(config, resources, { secrets, settings });
});

export const ports = (): Platform.Ports => Platform.use();
