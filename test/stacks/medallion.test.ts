/**
 * The medallion workflow on AWS, as the Medallion stack builds it: a Standard state machine whose definition is
 * core's `medallionDefinition` with each Task pointing at the wired Lambda for that state; its role may invoke
 * exactly those Lambdas; encrypted logs and tracing; started by the schedule and the file.ingested rule; its
 * lease released on aborted / timed-out executions; alarms on failed executions and on each dataset's freshness.
 * The three medallion Lambdas (built by Ingest from the wiring) get only their own lake prefixes and tables.
 * Templates only (functions are not bundled).
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets, parseConfig } from "@tributary/core/config";
import { MEDALLION_TASKS, medallionDefinition } from "@tributary/core/medallion";
import { freshnessPeriodMinutes } from "../../stacks/medallion/alarms";
import shippedConfig from "../../tributary.config";
import { byName, captureMetricOutput, emittedMetrics } from "../support/emf";
import { startTestPlatform } from "../support/platform";
import { removeSynthOutput, synthesize, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };

let synth: Synthesized;
let medallion: Template;
let ingest: Template;
const config = parseConfig(shippedConfig);

beforeAll(async () => {
  synth = await synthesize(undefined, { bundle: false });
  medallion = synth.templates.Medallion;
  ingest = synth.templates.Ingest;
});
afterAll(removeSynthOutput);

const resourcesIn = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const ingestFunction = (name: string) => resourcesIn(ingest, "AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name)!;
/** How the Medallion template refers to an Ingest function's ARN: the import of Ingest's export of it. */
const importedArnOf = (fnName: string): unknown => {
  const [id] = ingestFunction(fnName);
  const outputs = ingest.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
  const output = Object.values(outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify({ "Fn::GetAtt": [id, "Arn"] }));
  if (!output?.Export) throw new Error(`test: Ingest exports no ARN of ${fnName}`);
  return { "Fn::ImportValue": output.Export.Name };
};
const machine = () => resourcesIn(medallion, "AWS::StepFunctions::StateMachine")[0]!;
const policyStatementsOfRole = (template: Template, roleId: string): any[] =>
  resourcesIn(template, "AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const statementsOfFunction = (name: string) => policyStatementsOfRole(ingest, ingestFunction(name)[1].Properties.Role["Fn::GetAtt"][0]);
/** The deployed definition: JSON text with each Lambda ARN spliced in as an import, put back as `«function»`. */
const deployedDefinition = (): Record<string, any> => {
  const parts = machine()[1].Properties.DefinitionString["Fn::Join"][1] as unknown[];
  const functionOf = (arn: unknown) => Object.values(TASK_FUNCTION).find((fn) => JSON.stringify(importedArnOf(fn)) === JSON.stringify(arn));
  return JSON.parse(parts.map((p) => (typeof p === "string" ? p : `«${functionOf(p)}»`)).join(""));
};
const TASK_FUNCTION: Record<string, string> = {
  FindWork: "medallion-plan",
  Announce: "medallion-plan",
  ReleaseLease: "medallion-plan",
  MergeDataset: "medallion-silver",
  CompactDataset: "medallion-silver",
  BuildReport: "medallion-gold",
};

describe("Medallion stack: the state machine", () => {
  it("deploys core's definition with every Task pointing at the Lambda wired for that state", () => {
    // Prepare
    const expected = medallionDefinition((task) => `«${TASK_FUNCTION[task]}»`);

    // Act
    const deployed = deployedDefinition();

    // Assess
    expect(deployed).toEqual(expected);
    expect(Object.keys(TASK_FUNCTION).sort()).toEqual([...MEDALLION_TASKS].sort());
  });

  it("is a Standard machine with a timeout, tracing, and encrypted logs at level ALL without execution data", () => {
    const [, sm] = machine();
    expect(sm.Properties.StateMachineType).toBe("STANDARD");
    expect(deployedDefinition().TimeoutSeconds).toBe(120 * 60);
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm.Properties.LoggingConfiguration.Level).toBe("ALL");
    expect(sm.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
    const logGroupId = sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn["Fn::GetAtt"][0];
    const [, logGroup] = resourcesIn(medallion, "AWS::Logs::LogGroup").find(([id]) => id === logGroupId)!;
    expect(logGroup.Properties.KmsKeyId).toBeDefined();
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it("may invoke exactly the three medallion Lambdas and nothing else", () => {
    const [, sm] = machine();
    const statements = policyStatementsOfRole(medallion, sm.Properties.RoleArn["Fn::GetAtt"][0]);
    const invoke = statements.find((s) => s.Sid === "InvokeTaskFunctions");
    expect(invoke.Action).toBe("lambda:InvokeFunction");
    expect(invoke.Resource.map((r: unknown) => JSON.stringify(r)).sort()).toEqual(["medallion-gold", "medallion-plan", "medallion-silver"].map((fn) => JSON.stringify(importedArnOf(fn))).sort());
    const others = statements.filter((s) => s.Sid !== "InvokeTaskFunctions").flatMap((s) => [s.Action].flat());
    expect(others.every((a: string) => /^(logs|xray):/.test(a))).toBe(true);
  });
});

describe("Medallion stack: triggers", () => {
  const rules = () => resourcesIn(medallion, "AWS::Events::Rule");
  const machineArn = () => ({ Ref: machine()[0] });

  it("starts on the configured schedule and on file.ingested events of the tributary bus", () => {
    const schedule = rules().find(([, r]) => r.Properties.ScheduleExpression)!;
    expect(schedule[1].Properties.ScheduleExpression).toBe(config.settings.medallionSchedule);
    expect(schedule[1].Properties.Targets[0].Arn).toEqual(machineArn());
    const onFile = rules().find(([, r]) => r.Properties.EventPattern?.["detail-type"]?.includes("file.ingested"))!;
    expect(onFile[1].Properties.EventPattern.source).toEqual(["tributary"]);
    expect(onFile[1].Properties.EventBusName).toBeDefined();
    expect(onFile[1].Properties.Targets[0].Arn).toEqual(machineArn());
  });

  it("releases the lease when an execution is aborted or times out, with the execution's ARN as holder", () => {
    const release = rules().find(([, r]) => r.Properties.EventPattern?.source?.includes("aws.states"))!;
    expect(release[1].Properties.EventPattern.detail.status.sort()).toEqual(["ABORTED", "TIMED_OUT"]);
    expect(release[1].Properties.EventPattern.detail.stateMachineArn).toEqual([machineArn()]);
    const target = release[1].Properties.Targets[0];
    expect(target.Arn).toEqual(importedArnOf("medallion-plan"));
    expect(target.InputTransformer.InputPathsMap).toEqual({ "detail-executionArn": "$.detail.executionArn" });
    expect(JSON.parse(target.InputTransformer.InputTemplate.replace("<detail-executionArn>", '"arn:x"'))).toEqual({ task: "ReleaseLease", input: {}, execution: "arn:x" });
  });
});

describe("Medallion stack: alarms", () => {
  const alarms = () => resourcesIn(medallion, "AWS::CloudWatch::Alarm");

  it("alarms on failed and timed-out executions", () => {
    const byMetric = (name: string) => alarms().find(([, a]) => a.Properties.MetricName === name)![1].Properties;
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
      const alarm = byMetric(metric);
      expect(alarm.Namespace).toBe("AWS/States");
      expect(alarm.Threshold).toBe(0);
      expect(alarm.ComparisonOperator).toBe("GreaterThanThreshold");
      expect(alarm.AlarmActions).toHaveLength(1);
    }
  });

  it("alarms per dataset when its freshness passes its SLO, counting silence as stale", () => {
    const freshness = alarms().filter(([, a]) => a.Properties.MetricName === "DatasetFreshnessSeconds");
    expect(freshness).toHaveLength(datasets(config).length);
    for (const dataset of datasets(config)) {
      const [, alarm] = freshness.find(([, a]) => a.Properties.Dimensions[0].Value === dataset.name)!;
      expect(alarm.Properties.Namespace).toBe(config.project);
      expect(alarm.Properties.Threshold).toBe(dataset.freshnessSloMinutes * 60);
      expect(alarm.Properties.TreatMissingData).toBe("breaching");
      expect(alarm.Properties.Period).toBe(freshnessPeriodMinutes(config.settings.medallionSchedule) * 60);
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });

  it("names exactly the namespace, metric and dimensions the medallion handler emits after a run", async () => {
    // Prepare: a record in bronze; the machine then runs through the wired handlers, whose EMF lines are what CloudWatch ingests.
    let status: string | undefined;
    const written = await captureMetricOutput(async () => {
      const platform = await startTestPlatform();
      try {
        const response = await fetch(`${platform.url}/v1/streams/user_events/records`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": platform.credentials.apiKey },
          body: JSON.stringify({ request_id: "m1", request_timestamp: new Date().toISOString(), topic: "page", user_account_id: "42" }),
        });
        expect(response.status).toBe(202);
        await platform.waitForCount("SELECT count(*) AS n FROM bronze.user_events", 1);

        // Act
        status = (await platform.runMachine("medallion")).status;
      } finally {
        await platform.dispose();
      }
    });

    // Assess
    expect(status).toBe("SUCCEEDED");
    const [, alarm] = alarms().find(([, a]) => a.Properties.MetricName === "DatasetFreshnessSeconds" && a.Properties.Dimensions.some((d: any) => d.Value === "user_events"))!;
    expect(emittedMetrics(written)).toContainEqual({ Namespace: alarm.Properties.Namespace, MetricName: alarm.Properties.MetricName, Dimensions: [...alarm.Properties.Dimensions].sort(byName) });
  });

  it("spans two scheduled runs in the freshness period, within 5 minutes and a day", () => {
    expect(freshnessPeriodMinutes("rate(5 minutes)")).toBe(10);
    expect(freshnessPeriodMinutes("rate(1 minute)")).toBe(5);
    expect(freshnessPeriodMinutes("rate(1 hour)")).toBe(120);
    expect(freshnessPeriodMinutes("rate(2 days)")).toBe(1440);
    expect(freshnessPeriodMinutes("cron(0 * * * ? *)")).toBe(60);
  });
});

describe("Medallion Lambdas (Ingest stack)", () => {
  const lakeActions = (name: string) => statementsOfFunction(name).filter((s) => /^Lake/.test(s.Sid));
  const sidsOf = (name: string) => statementsOfFunction(name).map((s) => s.Sid);

  it("medallion-plan reads bronze and silver, writes nothing in the lake, holds the workflow lease", () => {
    expect(lakeActions("medallion-plan").map((s) => s.Sid)).not.toContain("LakeWrite");
    expect(sidsOf("medallion-plan")).not.toContain("LakeDelete");
  });

  it("medallion-silver may delete only bronze (compaction) and silver (an unpublished version), and gets the disk it stages bronze on", () => {
    const del = statementsOfFunction("medallion-silver").find((s) => s.Sid === "LakeDelete");
    expect(del.Action).toBe("s3:DeleteObject");
    const resources = JSON.stringify(del.Resource);
    expect(resources).toMatch(/bronze\/\*/);
    expect(resources).toMatch(/silver\/\*/);
    expect(resources).not.toMatch(/quarantine|gold|landing/);
    const [, fn] = ingestFunction("medallion-silver");
    expect(fn.Properties.EphemeralStorage).toEqual({ Size: 10240 });
    expect(fn.Properties.Timeout).toBe(900);
  });

  it("medallion-gold reads silver and writes gold only", () => {
    const write = statementsOfFunction("medallion-gold").find((s) => s.Sid === "LakeWrite");
    expect(JSON.stringify(write.Resource)).toMatch(/gold\/\*/);
    expect(JSON.stringify(write.Resource)).not.toMatch(/silver|bronze/);
    expect(sidsOf("medallion-gold")).not.toContain("LakeDelete");
  });
});

describe("Medallion stack: cdk-nag", () => {
  it("has no unsuppressed AwsSolutions findings", () => {
    expect(synth.nagFindings.Medallion).toEqual([]);
    expect(synth.nagFindings.Ingest).toEqual([]);
  });
});
