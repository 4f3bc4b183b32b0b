/**
 * How a Lambda finds its ports: resource names read once at cold start from the environment the stacks set
 * (`AWS_ENV`), failing fast with the variable's name. The local platform provides its own ports before it
 * invokes a handler, so none of this runs there. Subpath imports keep each bundle to the domains it uses.
 */
import * as Config from "@tributary/core/config";
import * as Platform from "@tributary/core/platform";
import * as Wiring from "@tributary/core/wiring";
import shippedConfig from "../../../tributary.config";

Platform.setDefault(() => {
  const config = Config.parseConfig(shippedConfig);
  const declared = Wiring.wiring(config, { lakeBucket: "" });
  const resources = Platform.resourcesFromEnv(process.env, {
    queues: declared.queues.map((q) => q.name),
    tables: declared.tables.map((t) => t.name),
  });
  return Platform.awsPorts(config, resources);
});

export const ports = (): Platform.Ports => Platform.use();
