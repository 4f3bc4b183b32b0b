/**
 * What esbuild cannot put into a Lambda bundle, added after SST bundles each function (its `afterBuild` hook).
 *
 * - Sidecar files: parquet-wasm's Node build reads `parquet_wasm_bg.wasm` from `${__dirname}` when it loads, and
 *   SST's ESM banner sets `__dirname` to the bundle's folder — so the .wasm is copied next to the bundle.
 * - Native addons (@duckdb/node-api → a `.node` binary per OS/CPU) cannot be bundled: they stay external
 *   and are copied, with the binary matching the Lambda architecture, into the bundle's `node_modules/`.
 *
 * Both are copied only into bundles that reference them, so a function that never imports parquet-wasm or
 * DuckDB does not carry 6.5 MB of wasm or 68 MB of native library. Copying from the repo's node_modules
 * (instead of SST's `nodejs.install`, which runs `npm install` against the registry during synth) keeps
 * synth offline and the versions identical to the ones the tests ran against.
 */
import { cp, lstat, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NODE_MODULES = path.join(REPO_ROOT, "node_modules");

export type LambdaArchitecture = "x86_64" | "arm_64";

/** Files a bundled package loads from beside the bundle; `marker` is the string by which the bundle refers to it. */
const SIDECARS = [{ marker: "parquet_wasm_bg.wasm", from: "parquet-wasm/node/parquet_wasm_bg.wasm" }] as const;

/** Native packages: kept out of the bundle, and the packages (with the CPU's binary) each one needs at runtime. */
const NATIVE_PACKAGES: Record<string, (nodeArch: "x64" | "arm64") => string[]> = {
  "@duckdb/node-api": (arch) => ["@duckdb/node-api", "@duckdb/node-bindings", `@duckdb/node-bindings-linux-${arch}`, "detect-libc"],
};

/** Packages esbuild must leave as imports (they are copied into the bundle's node_modules instead). */
export const EXTERNAL_NATIVE_PACKAGES = Object.keys(NATIVE_PACKAGES);

export class BundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BundleError";
  }
}

/**
 * Adds sidecar files and native packages to one built function folder (`out` holds `<handler dir>/<name>.mjs`).
 *
 * @example await completeBundle(".sst/artifacts/abc123", "x86_64")
 */
export async function completeBundle(out: string, architecture: LambdaArchitecture): Promise<void> {
  const bundles = (await listFiles(out)).filter((f) => f.endsWith(".mjs") && !path.relative(out, f).split(path.sep).includes("node_modules"));
  if (bundles.length === 0) throw new BundleError(`stacks: no .mjs bundle found in ${out}`);
  const nodeArch = architecture === "arm_64" ? "arm64" : "x64";
  // `sst dev` links the repo's node_modules into the build folder: native packages are already there.
  const linkedNodeModules = await lstat(path.join(out, "node_modules")).then((s) => s.isSymbolicLink(), () => false);
  for (const bundle of bundles) {
    const code = await readFile(bundle, "utf8");
    for (const sidecar of SIDECARS) {
      if (code.includes(sidecar.marker)) await copyFrom(sidecar.from, path.join(path.dirname(bundle), path.basename(sidecar.from)));
    }
    for (const [pkg, closure] of Object.entries(NATIVE_PACKAGES)) {
      if (linkedNodeModules || !importsPackage(code, pkg)) continue;
      for (const dependency of closure(nodeArch)) await copyFrom(dependency, path.join(out, "node_modules", dependency));
    }
  }
}

/** True when the bundle keeps `import … from "pkg"`, `import("pkg")` or `require("pkg")` (or a subpath). */
function importsPackage(code: string, pkg: string): boolean {
  const quoted = pkg.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`["']${quoted}(/[^"']*)?["']`).test(code);
}

async function copyFrom(relative: string, to: string): Promise<void> {
  const from = path.join(NODE_MODULES, relative);
  try {
    await stat(from);
  } catch (error) {
    throw new BundleError(`stacks: ${relative} is not installed in ${NODE_MODULES}; the Lambda bundle needs it`, { cause: error });
  }
  await cp(from, to, { recursive: true, dereference: true });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
