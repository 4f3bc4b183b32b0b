/**
 * Synthesizes the stacks the way `sst deploy` does (deploy mode: every function really bundled by esbuild),
 * with cdk-nag's AwsSolutions checks attached, once per process per config. Shared by the stack tests and by
 * the test proving the template's triggers match the local runtime.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Aspects, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { App, getStack } from "sst/constructs";
import { initProject, useProject } from "sst/project.js";
import { Catalog } from "../../stacks/Catalog";
import { Ingest } from "../../stacks/Ingest";
import { LAKE_KEY_DESCRIPTION, Lake } from "../../stacks/Lake";
import { Medallion } from "../../stacks/Medallion";
import { Operations } from "../../stacks/Operations";
import { CONFIG_CONTEXT_KEY } from "../../stacks/shared/config";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TEST_STAGE = "test";
export const TEST_ACCOUNT = "123456789012";
export const TEST_REGION = "eu-west-1";

export const STACKS = { Lake, Ingest, Catalog, Medallion, Operations } as const;
export type StackName = keyof typeof STACKS;

/** A cdk-nag AwsSolutions error or warning on one construct. */
export interface NagFinding {
  level: "error" | "warning";
  path: string;
  message: string;
}

export interface SynthOptions {
  /**
   * Bundle every function with esbuild, as `sst deploy` does (default). Without it the stacks are synthesized as
   * SST's inactive stacks are: each function gets a placeholder inline handler and everything else — roles,
   * policies, triggers, routes, keys — is built the same, in a fraction of the time. For tests of the template's
   * resources and permissions, not of the code that would run.
   */
  bundle?: boolean;
}

export interface Synthesized {
  templates: Record<StackName, Template>;
  /** AwsSolutions findings per stack that no suppression covered (suppressed ones are not reported). */
  nagFindings: Record<StackName, NagFinding[]>;
  /** Wiring function name → the folder SST bundled it into (what gets zipped and uploaded); empty without bundling. */
  bundles: Record<string, string>;
}

const cache = new Map<string, Promise<Synthesized>>();
let queue: Promise<unknown> = Promise.resolve();
let scratch: string | undefined;
let projectReady: Promise<void> | undefined;

/**
 * The synthesized templates keyed by stack, for the shipped config or the raw `config` given.
 *
 * @example const { Ingest } = await synthTemplates(); Ingest.resourceCountIs("AWS::Lambda::EventSourceMapping", 2);
 */
export async function synthTemplates(config?: unknown, options: SynthOptions = {}): Promise<Record<StackName, Template>> {
  return (await synthesize(config, options)).templates;
}

/** Templates, cdk-nag annotations and bundle folders; cached per config and options, synths run one at a time. */
export function synthesize(config?: unknown, options: SynthOptions = {}): Promise<Synthesized> {
  const bundle = options.bundle ?? true;
  const key = JSON.stringify({ config: config ?? null, bundle });
  let pending = cache.get(key);
  if (!pending) {
    pending = queue.then(() => synthesizeNow(config, bundle));
    queue = pending.catch(() => undefined);
    cache.set(key, pending);
  }
  return pending;
}

/**
 * SST's initProject compiles sst.config.ts to `.sst.config.<Date.now()>.mjs` in the working directory, imports it
 * and deletes it. Two test files' workers starting in the same millisecond share that name, and one deletes the
 * other's file before it is imported ("Cannot find module …/.sst.config.….mjs"). Retry after a random pause.
 */
async function initProjectWithRetry(attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await initProject({ stage: TEST_STAGE });
      return;
    } catch (error) {
      const collided = error instanceof Error && /Cannot find module .*\.sst\.config\.\d+\.mjs/.test(error.message);
      if (!collided || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    }
  }
}

async function synthesizeNow(config: unknown, bundle: boolean): Promise<Synthesized> {
  // SST skips its AWS bootstrap lookup only under NODE_ENV=test (App.isRunningSSTTest); vitest sets it.
  process.env.NODE_ENV ??= "test";
  const cwd = process.cwd();
  // SST resolves sst.config.ts, handler paths and its build output relative to the working directory.
  process.chdir(REPO_ROOT);
  try {
    projectReady ??= initProjectWithRetry().then(() => {
      // SST's generated types (.sst/types, rewritten by every new App) and bundles go to this process's folder.
      const paths = useProject().paths;
      paths.out = path.join(scratchDir(), ".sst");
      paths.artifacts = path.join(scratchDir(), "artifacts");
      mkdirSync(paths.out, { recursive: true });
    });
    await projectReady;
    const app = new App(
      {
        mode: "deploy",
        name: useProject().config.name,
        stage: TEST_STAGE,
        region: TEST_REGION,
        account: TEST_ACCOUNT,
        ...(bundle ? {} : { isActiveStack: () => false }),
      },
      { outdir: mkdtempSync(path.join(scratchDir(), "cdk.out-")), context: config === undefined ? {} : { [CONFIG_CONTEXT_KEY]: config } },
    );
    for (const fn of Object.values(STACKS)) await app.stack(fn);
    const stacks = Object.fromEntries(Object.entries(STACKS).map(([name, fn]) => [name, getStack(fn)])) as Record<StackName, ReturnType<typeof getStack>>;
    for (const stack of Object.values(stacks)) Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    await app.finish();
    const bundles: Record<string, string> = {};
    if (bundle) for (const fn of stacks.Ingest.getAllFunctions()) bundles[fn.id] = path.join(useProject().paths.artifacts, fn.node.addr);
    // One synth only: `Annotations.fromStack` would force a second one, and SST's unique-id aspect (stateful)
    // then reports every construct as a duplicate. The findings are read from the same assembly instead.
    const assembly = app.synth();
    const findingsOf = (stack: Stack): NagFinding[] =>
      assembly
        .getStackArtifact(stack.artifactId)
        .messages.filter((m) => /^AwsSolutions-/.test(String(m.entry.data)))
        .map((m) => ({ level: m.level === "error" ? "error" : "warning", path: m.id, message: String(m.entry.data) }));
    return {
      templates: Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, Template.fromStack(stack)])) as Record<StackName, Template>,
      nagFindings: Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, findingsOf(stack)])) as Record<StackName, NagFinding[]>,
      bundles,
    };
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Removes this process's synth output (bundles and cloud assembly, ~100 MB) and forgets the cached results.
 * Call it from `afterAll` in every test file that synthesizes: vitest may end its workers without an `exit` event.
 */
export async function removeSynthOutput(): Promise<void> {
  await queue;
  cache.clear();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  projectReady = undefined;
}

/** One temp folder per process for SST's types and bundles and CDK's output: parallel test files must not share them. */
function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tributary-synth-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

/** Export names under which the Lake stack shares its bucket and key (other stacks refer to them with Fn::ImportValue). */
export interface LakeExports {
  bucketName: string;
  bucketArn: string;
  keyArn: string;
}

/** Finds the Lake template's exports of the lake bucket (name, ARN) and its KMS key ARN. */
export function lakeExports(lake: Template): LakeExports {
  const [bucketId] = Object.keys(lake.findResources("AWS::S3::Bucket", { Properties: { VersioningConfiguration: { Status: "Enabled" } } }));
  const [keyId] = Object.entries(lake.findResources("AWS::KMS::Key")).find(([, k]: [string, any]) => k.Properties.Description === LAKE_KEY_DESCRIPTION)!;
  const exportOf = (value: unknown): string => {
    const output = Object.values(lake.findOutputs("*")).find((o: any) => JSON.stringify(o.Value) === JSON.stringify(value) && o.Export) as any;
    if (!output) throw new Error(`test: the Lake stack exports nothing for ${JSON.stringify(value)}`);
    return output.Export.Name;
  };
  return { bucketName: exportOf({ Ref: bucketId }), bucketArn: exportOf({ "Fn::GetAtt": [bucketId, "Arn"] }), keyArn: exportOf({ "Fn::GetAtt": [keyId, "Arn"] }) };
}

/** `{ "Fn::ImportValue": name }`: how another stack's template refers to an export. */
export const importOf = (exportName: string) => ({ "Fn::ImportValue": exportName });
