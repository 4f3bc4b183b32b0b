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
  const restore = quietXRayWhileLoading();
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } finally {
    restore();
  }
  const handler = module[exportName];
  if (typeof handler !== "function") throw new Error(`local: ${path} does not export a function "${exportName}"`);
  return handler as Handler;
}

/** X-Ray SDK settings it reads once, when it loads. */
const XRAY_WHEN_TRACING_IS_OFF = { AWS_XRAY_MANUAL_MODE: "true", AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR" } as const;
let loading = 0;
let saved: Partial<Record<keyof typeof XRAY_WHEN_TRACING_IS_OFF, string | undefined>> = {};

/**
 * The X-Ray SDK (loaded with Powertools' tracer) starts in automatic mode unless told otherwise, and automatic
 * mode installs an async hook (cls-hooked) that tracks every promise of the process: locally, where all
 * functions share one process and the tracer is off (`POWERTOOLS_TRACE_ENABLED=false`, set by the platform),
 * that hook cost about a tenth of every API request and traced nothing. So while handler modules load with
 * tracing off, the SDK is told manual mode (no hook) and to ignore missing trace contexts (as the tracer asks
 * once it sees tracing is off, too late for what the SDK does as it loads). The variables are put back once
 * loaded, so processes started from this one (which may trace) do not inherit them. Returns the restorer.
 */
function quietXRayWhileLoading(): () => void {
  if (process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== "false") return () => undefined;
  if (loading++ === 0) {
    saved = {};
    for (const [name, value] of Object.entries(XRAY_WHEN_TRACING_IS_OFF) as [keyof typeof XRAY_WHEN_TRACING_IS_OFF, string][]) {
      saved[name] = process.env[name];
      process.env[name] ??= value;
    }
  }
  return () => {
    if (--loading > 0) return;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
