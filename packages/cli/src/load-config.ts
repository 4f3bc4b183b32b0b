/** Loads and validates the config file the CLI was pointed at (default: ./tributary.config.ts). */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseConfig, type TributaryConfig } from "@tributary/core/config";

export async function loadConfig(path = "tributary.config.ts"): Promise<{ config: TributaryConfig; path: string }> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new Error(`config: ${absolute} does not exist (pass --config <file>)`);
  const module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  return { config: parseConfig(module.default, path), path: absolute };
}
