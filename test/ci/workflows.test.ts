/**
 * The GitHub Actions workflows, parsed as GitHub reads them: every check runs on pull requests, deploys wait for
 * the checks, reach AWS only through OIDC, never overlap within a stage, and the documented trust policy admits
 * exactly the environments the deploy jobs run in. See docs/ci-cd.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// `yaml` is in node_modules through aws-cdk-lib's and sst's dependencies, not a direct one; v1 and v2 both
// export `parse` on the default export.
import YAML from "yaml";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKFLOWS_DIR = path.join(REPO_ROOT, ".github/workflows");
const CI_WORKFLOW = "./.github/workflows/ci.yml";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  uses?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
  permissions?: string | Record<string, string>;
  container?: string | { image: string };
  steps?: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: string | Record<string, string>;
  jobs: Record<string, Job>;
}

function readWorkflow(file: string): Workflow {
  return YAML.parse(readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as Workflow;
}

/** Index of the first step whose `run` matches, -1 when none does. */
function stepRunning(job: Job, command: RegExp): number {
  return (job.steps ?? []).findIndex((s) => s.run !== undefined && command.test(s.run));
}

function stepUsing(job: Job, action: string): Step | undefined {
  return (job.steps ?? []).find((s) => s.uses?.split("@")[0] === action);
}

const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

/** Deploy jobs by the stage their `sst deploy` targets. */
function deployJobs(workflow: Workflow): Record<string, { name: string; job: Job }> {
  const byStage: Record<string, { name: string; job: Job }> = {};
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps ?? []) {
      const stage = step.run?.match(/\bsst deploy\b.*--stage[ =](\S+)/)?.[1];
      if (stage) byStage[stage] = { name, job };
    }
  }
  return byStage;
}

describe("ci.yml", () => {
  const ci = readWorkflow("ci.yml");
  const STAGES = { typecheck: /^npm run typecheck$/, lint: /^npm run lint$/, test: /^npm test\b/, synth: /\bvitest run test\/stacks\b/ };

  it("runs on pull requests and pushes, and can be called by the deploy workflow", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
  });

  it("installs with npm ci on Node 20 with the npm cache, then runs each stage", () => {
    for (const [name, command] of Object.entries(STAGES)) {
      // Prepare
      const job = ci.jobs[name];

      // Assess
      expect(job, name).toBeDefined();
      expect(stepUsing(job!, "actions/setup-node")?.with, name).toMatchObject({ "node-version": 20, cache: "npm" });
      const install = stepRunning(job!, /^npm ci$/);
      expect(install, `${name}: npm ci`).toBeGreaterThanOrEqual(0);
      expect(stepRunning(job!, command), `${name}: ${command}`).toBeGreaterThan(install);
    }
  });

  it("splits the suite between the test and synth jobs without leaving a test file out", () => {
    // Prepare
    const test = ci.jobs.test!.steps![stepRunning(ci.jobs.test!, STAGES.test)]!.run!;
    const synth = ci.jobs.synth!.steps![stepRunning(ci.jobs.synth!, STAGES.synth)]!.run!;

    // Assess: whatever the test job leaves out is exactly what the synth job runs.
    expect([...test.matchAll(/--exclude[ =]"?([^"\s]+)"?/g)].map((m) => m[1])).toEqual(["test/stacks/**"]);
    expect(synth).toMatch(/vitest run test\/stacks$/);
  });

  it("installs Debian's chromium before the tests run", () => {
    // Prepare
    const job = ci.jobs.test!;
    const image = typeof job.container === "string" ? job.container : job.container?.image;

    // Assess
    expect(image).toMatch(/^node:20-(bookworm|trixie)/);
    const chromium = stepRunning(job, /apt-get install\b.*\bchromium\b/);
    expect(chromium).toBeGreaterThanOrEqual(0);
    expect(chromium).toBeLessThan(stepRunning(job, STAGES.test));
  });

  it("can only read the repository", () => {
    expect(ci.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(ci.jobs)) expect(job.permissions).toBeUndefined();
  });
});

describe("deploy.yml", () => {
  const deploy = readWorkflow("deploy.yml");
  const stages = deployJobs(deploy);

  it("deploys preprod on a push to main and prod when a release is published, each in its GitHub environment", () => {
    // Assess
    expect(deploy.on).toEqual({ push: { branches: ["main"] }, release: { types: ["published"] } });
    expect(Object.keys(stages).sort()).toEqual(["preprod", "prod"]);
    expect(stages.preprod!.job.if).toBe("github.event_name == 'push'");
    expect(stages.prod!.job.if).toBe("github.event_name == 'release'");
    for (const [stage, { job }] of Object.entries(stages)) expect(environmentOf(job), stage).toBe(stage);
  });

  it("deploys only after every check of ci.yml has passed", () => {
    // Prepare
    const callsCi = Object.entries(deploy.jobs).filter(([, job]) => job.uses === CI_WORKFLOW).map(([name]) => name);

    // Assess
    expect(callsCi).toHaveLength(1);
    expect(Object.keys(readWorkflow("ci.yml").jobs)).toEqual(expect.arrayContaining(["typecheck", "lint", "test", "synth"]));
    for (const [stage, { job }] of Object.entries(stages)) expect(needsOf(job), stage).toContain(callsCi[0]);
  });

  it("reaches AWS only through GitHub OIDC, with the token granted to the deploy jobs alone", () => {
    // Prepare
    const deployJobNames = Object.values(stages).map((s) => s.name);

    // Assess
    expect(deploy.permissions).toEqual({ contents: "read" });
    for (const [stage, { job }] of Object.entries(stages)) {
      expect(job.permissions, stage).toEqual({ contents: "read", "id-token": "write" });
      const credentials = stepUsing(job, "aws-actions/configure-aws-credentials");
      expect(credentials?.with?.["role-to-assume"], stage).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      expect(Object.keys(credentials?.with ?? {}).filter((k) => /access-key|secret/.test(k)), stage).toEqual([]);
      expect(job.steps!.indexOf(credentials!), stage).toBeLessThan(stepRunning(job, /\bsst deploy\b/));
    }
    for (const [name, job] of Object.entries(deploy.jobs)) {
      if (!deployJobNames.includes(name)) expect(typeof job.permissions === "object" ? job.permissions["id-token"] : undefined, name).toBeUndefined();
    }
  });

  it("never runs two deploys of one stage at once, nor cancels one that has started", () => {
    // Prepare
    const groups = Object.entries(stages).map(([stage, { job }]) => ({ stage, concurrency: job.concurrency }));

    // Assess: a fixed group per stage (no ref, sha or run id in it), distinct between stages.
    for (const { stage, concurrency } of groups) {
      expect(concurrency, stage).toEqual({ group: `deploy-${stage}`, "cancel-in-progress": false });
    }
  });
});

describe("every workflow", () => {
  const files = readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));

  it("pins each action to a major version", () => {
    // Prepare
    const uses = files.flatMap((file) =>
      Object.values(readWorkflow(file).jobs).flatMap((job) => [job.uses, ...(job.steps ?? []).map((s) => s.uses)].filter((u): u is string => u !== undefined).map((u) => ({ file, uses: u }))),
    );

    // Assess
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter(({ uses: u }) => !u.startsWith("./") && !/^[\w.-]+\/[\w./-]+@v\d+$/.test(u))).toEqual([]);
  });
});

describe("docs/ci-cd.md", () => {
  it("documents a trust policy that admits exactly the deploy jobs' environments of this repository", () => {
    // Prepare
    const doc = readFileSync(path.join(REPO_ROOT, "docs/ci-cd.md"), "utf8");
    const policy = JSON.parse(doc.match(/```json\n([\s\S]*?)```/)![1]!) as {
      Statement: { Action: string; Condition: Record<string, Record<string, string>> }[];
    };
    const environments = Object.values(deployJobs(readWorkflow("deploy.yml"))).map(({ job }) => environmentOf(job));

    // Assess: the sub claim is matched exactly (no wildcard) for one of the deploy environments.
    const [statement] = policy.Statement;
    expect(statement!.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(Object.keys(statement!.Condition)).toEqual(["StringEquals"]);
    const conditions = statement!.Condition.StringEquals!;
    expect(conditions["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com");
    const sub = conditions["token.actions.githubusercontent.com:sub"]!.match(/^repo:<OWNER>\/<REPO>:environment:(\w+)$/);
    expect(environments).toContain(sub?.[1]);
  });
});
