/**
 * What esbuild cannot bundle reaches the Lambda bundle: the parquet-wasm .wasm beside the bundle, DuckDB's
 * native packages in its node_modules — and the bundles SST builds for deploys load on their own, with no
 * repo node_modules to fall back on.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundleError, completeBundle } from "../../stacks/shared/bundle-extras";
import { removeSynthOutput, synthesize, REPO_ROOT } from "./synth";

const run = promisify(execFile);
const WASM_SOURCE = path.join(REPO_ROOT, "node_modules/parquet-wasm/node/parquet_wasm_bg.wasm");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "tributary-bundle-extras-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await removeSynthOutput();
});

/** A fake SST output folder holding one bundle with the given code, like `<out>/packages/functions/src/x.mjs`. */
async function fakeBundle(name: string, code: string): Promise<{ out: string; dir: string }> {
  const out = path.join(scratch, name);
  const dir = path.join(out, "packages/functions/src");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.mjs`), code);
  return { out, dir };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

describe("completeBundle", () => {
  it("puts parquet-wasm's .wasm beside a bundle that loads it", async () => {
    // Prepare
    const { out, dir } = await fakeBundle("writer", 'const wasmPath = `${__dirname}/parquet_wasm_bg.wasm`;');

    // Act
    await completeBundle(out, "x86_64");

    // Assess
    expect((await stat(path.join(dir, "parquet_wasm_bg.wasm"))).size).toBe((await stat(WASM_SOURCE)).size);
  });

  it("adds nothing to a bundle that needs neither", async () => {
    const { out } = await fakeBundle("plain", "export const handler = async () => 1;");

    await completeBundle(out, "x86_64");

    expect((await readdir(out, { recursive: true })).sort()).toEqual(["packages", "packages/functions", "packages/functions/src", "packages/functions/src/plain.mjs"]);
  });

  it("copies DuckDB with the binary for the Lambda's CPU into a bundle that imports it", async () => {
    const { out } = await fakeBundle("query", 'const { DuckDBInstance } = await import("@duckdb/node-api");');

    await completeBundle(out, "x86_64");

    for (const pkg of ["@duckdb/node-api", "@duckdb/node-bindings", "detect-libc"]) expect(await exists(path.join(out, "node_modules", pkg, "package.json"))).toBe(true);
    expect(await exists(path.join(out, "node_modules/@duckdb/node-bindings-linux-x64/duckdb.node"))).toBe(true);
  });

  it("fails, naming the missing package, when DuckDB's binary for the architecture is not installed", async () => {
    const { out } = await fakeBundle("arm", 'import { DuckDBInstance } from "@duckdb/node-api";');
    const installed = await exists(path.join(REPO_ROOT, "node_modules/@duckdb/node-bindings-linux-arm64"));

    const completing = completeBundle(out, "arm_64");

    if (installed) await expect(completing).resolves.toBeUndefined();
    else await expect(completing).rejects.toThrow(new BundleError(`stacks: @duckdb/node-bindings-linux-arm64 is not installed in ${path.join(REPO_ROOT, "node_modules")}; the Lambda bundle needs it`));
  });

  it("leaves node_modules alone when `sst dev` has linked the repo's node_modules into the build folder", async () => {
    const { out } = await fakeBundle("dev", 'import { DuckDBInstance } from "@duckdb/node-api";');
    const linkedTo = path.join(scratch, "repo-node-modules");
    await mkdir(linkedTo);
    await symlink(linkedTo, path.join(out, "node_modules"), "dir");

    await completeBundle(out, "x86_64");

    expect(await readdir(linkedTo)).toEqual([]);
  });

  it("fails when the folder holds no bundle", async () => {
    const out = path.join(scratch, "empty");
    await mkdir(out);

    await expect(completeBundle(out, "x86_64")).rejects.toThrow(/no \.mjs bundle found/);
  });
});

describe("the deploy bundles of every wired function", () => {
  it("load in isolation, with DuckDB usable where a bundle imports it", async () => {
    // Prepare: copy each bundle where no node_modules of the repo can be found by walking up.
    const { bundles } = await synthesize();
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};

    for (const [name, built] of Object.entries(bundles)) {
      const isolated = path.join(scratch, "isolated", name);
      await cp(built, isolated, { recursive: true });
      const [bundle] = (await readdir(isolated, { recursive: true })).filter((f) => f.endsWith(".mjs") && !f.includes("node_modules"));
      const code = await readFile(path.join(isolated, bundle!), "utf8");
      expected[name] = code.includes("@duckdb/node-api") ? "duckdb 42" : "loaded";
      const probe = [
        `const m = await import(${JSON.stringify(path.join(isolated, bundle!))});`,
        `if (typeof m.handler !== "function") throw new Error("no handler export");`,
        expected[name] === "duckdb 42"
          ? `const { DuckDBInstance } = await import("@duckdb/node-api"); const c = await (await DuckDBInstance.create(":memory:")).connect(); console.log("duckdb", (await c.runAndReadAll("select 40 + 2 as n")).getRows()[0][0]);`
          : `console.log("loaded");`,
      ].join("\n");
      await writeFile(path.join(isolated, "probe.mjs"), probe);

      // Act
      const { stdout } = await run(process.execPath, [path.join(isolated, "probe.mjs")], { cwd: os.tmpdir(), env: { PATH: process.env.PATH } });
      outcomes[name] = stdout.trim();
    }

    // Assess
    expect(Object.keys(outcomes).length).toBeGreaterThan(0);
    expect(outcomes).toEqual(expected);
  });
});
