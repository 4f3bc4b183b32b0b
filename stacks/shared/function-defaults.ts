/**
 * Settings every Tributary Lambda shares, in one place. Per-function settings (handler, timeout, memory,
 * description) come from the wiring.
 */
import * as logs from "aws-cdk-lib/aws-logs";
import type { FunctionProps } from "sst/constructs";
import { completeBundle, EXTERNAL_NATIVE_PACKAGES, type LambdaArchitecture } from "./bundle-extras";

/**
 * x86_64, not the cheaper arm64: the only DuckDB native binary installed in this repo is
 * `@duckdb/node-bindings-linux-x64`, and a native addon must match the Lambda's CPU. Switching to arm_64
 * needs `@duckdb/node-bindings-linux-arm64` installed; `completeBundle` fails synth with that name if it is not.
 */
export const LAMBDA_ARCHITECTURE: LambdaArchitecture = "x86_64";

/**
 * Packages only embedded local mode runs: PGlite (the SQL Server stand-in, megabytes of WASM) is imported
 * dynamically by core's embedded change source, which no Lambda opens — on AWS cdc-poll reads SQL Server
 * through `mssql`, which is pure JS (tedious) and bundled. Kept external, a bundle that reaches the import
 * still loads, carries no PGlite, and would fail loudly ("Cannot find package") only if it ever ran it.
 */
export const LOCAL_ONLY_PACKAGES = ["@electric-sql/pglite"];

/** How long function logs are kept. */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

export const FUNCTION_DEFAULTS = {
  runtime: "nodejs22.x",
  architecture: LAMBDA_ARCHITECTURE,
  tracing: "active",
  nodejs: {
    format: "esm",
    // SST's deploy bundles would otherwise ship source maps as a separate asset plus an uploader custom
    // resource (for the SST console) — neither is used here; keepNames keeps stack traces readable.
    sourcemap: false,
    esbuild: { external: [...EXTERNAL_NATIVE_PACKAGES, ...LOCAL_ONLY_PACKAGES] },
  },
  hooks: {
    afterBuild: (_props, out) => completeBundle(out, LAMBDA_ARCHITECTURE),
  },
} satisfies Partial<FunctionProps>;
