/**
 * `sst deploy` / `sst build` first bundle `sst.config.ts` with esbuild (only the root package.json's dependencies
 * external) and import the result. The stack tests import the stacks through vitest instead, so a dependency the
 * stacks reach but that cannot bundle (DuckDB's native binaries behind the `@tributary/core/catalog` index) would
 * pass them and still break every deploy. This runs SST's own loader on the real config file.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { load } from "sst/stacks/build.js";
import { REPO_ROOT } from "./synth";

describe("sst.config.ts", () => {
  it("bundles and loads the way the SST CLI loads it", async () => {
    // Prepare: the loader writes its bundle (`.sst.config.<ms>.mjs`, removed after) into the working directory,
    // which must be the repo root for the bundle's external packages to resolve, as when the CLI runs there.
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);

    // Act
    let loaded: Awaited<ReturnType<typeof load>>;
    try {
      loaded = await load(path.join(REPO_ROOT, "sst.config.ts"), false);
    } finally {
      process.chdir(cwd);
    }

    // Assess
    const [, config] = loaded;
    expect(config.config().name).toBe("tributary");
    expect(typeof config.stacks).toBe("function");
  }, 60_000);
});
