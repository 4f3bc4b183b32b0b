/**
 * What esbuild cannot bundle reaches the Lambda bundle: the parquet-wasm .wasm beside the bundle, DuckDB's
 * native packages in its node_modules — and the bundles SST builds for deploys load on their own, with no
 * repo node_modules to fall back on: PGlite (local only) stays out of them, and cdc-poll carries its SQL Server
 * driver.
 */
import { execFile } from "node:child_process";
import net from "node:net";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundleError, completeBundle } from "../../stacks/shared/bundle-extras";
import { removeSynthOutput, synthesize, REPO_ROOT, TEST_REGION } from "./synth";

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

/** A copy of a deploy bundle where no node_modules of the repo can be found by walking up; the path of its .mjs. */
async function isolate(name: string, built: string): Promise<string> {
  const isolated = path.join(scratch, "isolated", name);
  await rm(isolated, { recursive: true, force: true });
  await cp(built, isolated, { recursive: true });
  const [bundle] = (await readdir(isolated, { recursive: true })).filter((f) => f.endsWith(".mjs") && !f.includes("node_modules"));
  return path.join(isolated, bundle!);
}

/** Runs `probe` (ES module code) with node from the bundle's folder's parent, with only `env` set; its stdout. */
async function runProbe(bundle: string, probe: string, env: Record<string, string> = {}): Promise<string> {
  const file = path.join(path.dirname(bundle), `probe-${path.basename(bundle)}`);
  await writeFile(file, probe);
  const { stdout } = await run(process.execPath, [file], { cwd: os.tmpdir(), env: { PATH: process.env.PATH, ...env } });
  return stdout.trim();
}

/** A TCP port on this machine that nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the deploy bundles of every wired function", () => {
  it("load in isolation, with DuckDB usable where a bundle imports it", async () => {
    // Prepare
    const { bundles } = await synthesize();
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};

    for (const [name, built] of Object.entries(bundles)) {
      const bundle = await isolate(name, built);
      const code = await readFile(bundle, "utf8");
      expected[name] = code.includes("@duckdb/node-api") ? "duckdb 42" : "loaded";
      const probe = [
        `const m = await import(${JSON.stringify(bundle)});`,
        `if (typeof m.handler !== "function") throw new Error("no handler export");`,
        expected[name] === "duckdb 42"
          ? `const { DuckDBInstance } = await import("@duckdb/node-api"); const c = await (await DuckDBInstance.create(":memory:")).connect(); console.log("duckdb", (await c.runAndReadAll("select 40 + 2 as n")).getRows()[0][0]);`
          : `console.log("loaded");`,
      ].join("\n");

      // Act
      outcomes[name] = await runProbe(bundle, probe);
    }

    // Assess
    expect(Object.keys(outcomes)).toEqual(expect.arrayContaining(["cdc-poll-fn", "file-ingest-fn", "events-api-fn", "link-fn", "report-api-fn"]));
    expect(outcomes).toEqual(expected);
    // File ingestion and linking read Parquet with DuckDB at runtime; the report API never does.
    expect([outcomes["file-ingest-fn"], outcomes["link-fn"], outcomes["report-api-fn"]]).toEqual(["duckdb 42", "duckdb 42", "loaded"]);
    // The medallion's silver and gold steps are DuckDB over staged lake files.
    expect([outcomes["medallion-silver-fn"], outcomes["medallion-gold-fn"]]).toEqual(["duckdb 42", "duckdb 42"]);
    // Bundling and probing every wired function (14 with the shipped config) is minutes of CPU on a loaded 2-core machine.
  }, 240_000);

  it("carry no PGlite (the embedded stand-in): at most an external import that no Lambda runs", async () => {
    const { bundles } = await synthesize();

    for (const [name, built] of Object.entries(bundles)) {
      const files = await readdir(built, { recursive: true });
      const [bundle] = files.filter((f) => f.endsWith(".mjs") && !f.includes("node_modules"));
      const code = await readFile(path.join(built, bundle!), "utf8");
      const mentions = code.split("@electric-sql/pglite").length - 1;
      const dynamicImports = code.match(/\bimport\(\s*["']@electric-sql\/pglite["']\s*\)/g)?.length ?? 0;

      // PGlite's own code names its WASM and data files; bundled, it would carry them.
      expect(code.includes("pglite.wasm") || code.includes("pglite.data"), `${name} bundles PGlite`).toBe(false);
      expect(files.filter((f) => /pglite|initdb\.wasm/.test(f)), `${name} ships PGlite files`).toEqual([]);
      expect(mentions, `${name} refers to PGlite other than by a dynamic import`).toBe(dynamicImports);
    }
  });

  it("bundle the SQL Server driver into cdc-poll only, which reaches SQL Server with it in isolation", async () => {
    // Prepare: the function's environment from the template (resource references become placeholders, shaped like names), its
    // bound secret set as SST sets a secret's value, pointing at a port nothing listens on.
    const { bundles, templates } = await synthesize();
    const [, fn] = Object.entries(templates.Ingest.findResources("AWS::Lambda::Function")).find(
      ([, f]: [string, any]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === "cdc-poll",
    )! as [string, any];
    const port = await closedPort();
    const password = "probe-Pa55word";
    const env: Record<string, string> = { AWS_REGION: TEST_REGION, SST_REGION: TEST_REGION, POWERTOOLS_LOG_LEVEL: "CRITICAL" };
    for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
      env[name] = typeof value === "string" ? value : `placeholder-${name.toLowerCase().replace(/_/g, "-")}`;
    }
    expect(env.SST_Secret_value_BACKEND_SQLSERVER_URL).toBe("__FETCH_FROM_SSM__");
    env.SST_Secret_value_BACKEND_SQLSERVER_URL = `mssql://tributary:${password}@127.0.0.1:${port}/shop?encrypt=false&connectTimeout=5000`;
    const bundle = await isolate("cdc-poll-sqlserver", bundles["cdc-poll-fn"]!);
    const context = { functionName: "cdc-poll", functionVersion: "$LATEST", invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:cdc-poll", memoryLimitInMB: "1024", awsRequestId: "probe", logGroupName: "probe", logStreamName: "probe" };
    const probe = [
      `const { handler } = await import(${JSON.stringify(bundle)});`,
      `const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 300000, callbackWaitsForEmptyEventLoop: true };`,
      `const outcome = await handler({ source: "backend" }, context).then((r) => ({ result: r }), (e) => ({ error: e.message }));`,
      `console.log("outcome " + JSON.stringify(outcome));`,
    ].join("\n");

    // Act
    const stdout = await runProbe(bundle, probe, env);

    // Assess: the driver ran from the bundle alone (an external mssql would fail with "Cannot find package"),
    // its error keeps the password out, and no other function carries it.
    const outcome = JSON.parse(stdout.split("\n").find((l) => l.startsWith("outcome "))!.slice("outcome ".length));
    expect(outcome.error).toMatch(new RegExp(`^cdc: connect to SQL Server tributary@127\\.0\\.0\\.1:${port}/shop failed: .*(ECONNREFUSED|Could not connect)`));
    expect(outcome.error).not.toContain(password);
    for (const [name, built] of Object.entries(bundles)) {
      const [file] = (await readdir(built, { recursive: true })).filter((f) => f.endsWith(".mjs") && !f.includes("node_modules"));
      const code = await readFile(path.join(built, file!), "utf8");
      expect(code.includes("tedious"), `${name} carries the SQL Server driver`).toBe(name === "cdc-poll-fn");
    }
  });
});
