/**
 * Loads the handlers the wiring names (`packages/functions/src/x.handler`) from this checkout, so the local
 * platform runs exactly the code Lambda runs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Handler } from "./lambda-context";

/** The repository root: this file is packages/core/src/local/handlers.ts. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export async function loadHandler(spec: string): Promise<Handler> {
  const dot = spec.lastIndexOf(".");
  const [file, exportName] = [spec.slice(0, dot), spec.slice(dot + 1)];
  const path = [".ts", ".js"].map((ext) => join(REPO_ROOT, file + ext)).find((p) => existsSync(p));
  if (!path) throw new Error(`local: handler file for "${spec}" not found under ${REPO_ROOT}`);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== "function") throw new Error(`local: ${path} does not export a function "${exportName}"`);
  return handler as Handler;
}
