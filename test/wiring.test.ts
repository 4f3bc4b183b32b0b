/**
 * Wiring declared once: every trigger in the synthesized CloudFormation template exists in the local runtime,
 * and vice versa. Both sides are read from what they actually built — the template's routes, event source
 * mappings and rules (queue targets, and schedule/bus rules invoking a function); the local platform's
 * registered triggers — never from the wiring data itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeSynthOutput, synthTemplates } from "./stacks/synth";
import { startTestPlatform, type TestPlatform } from "./support/platform";

type Resource = { Type: string; Properties: any };

function templateTriggers(resources: Record<string, Resource>): string[] {
  const byId = (id: string) => resources[id]!;
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  // The stacks name each function's Powertools service after its wiring name.
  const functionName = (logicalId: string) => String(byId(logicalId).Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
  const queueName = (logicalId: string) => String(byId(logicalId).Properties.QueueName).replace(/^test-tributary-/, "");
  const lines: string[] = [];
  for (const [, route] of of("AWS::ApiGatewayV2::Route")) {
    const integrationId = String(route.Properties.Target["Fn::Join"][1][1].Ref);
    const fnId = byId(integrationId).Properties.IntegrationUri["Fn::GetAtt"][0];
    lines.push(`${functionName(fnId)} <- http ${route.Properties.RouteKey}`);
  }
  for (const [, mapping] of of("AWS::Lambda::EventSourceMapping")) {
    const window = mapping.Properties.MaximumBatchingWindowInSeconds ?? 0;
    lines.push(`${functionName(mapping.Properties.FunctionName.Ref)} <- queue ${queueName(mapping.Properties.EventSourceArn["Fn::GetAtt"][0])} (batch ${mapping.Properties.BatchSize}, window ${window}s)`);
  }
  for (const [, rule] of of("AWS::Events::Rule")) {
    for (const target of rule.Properties.Targets) {
      const targetId = String(target.Arn["Fn::GetAtt"][0]);
      const targetType = byId(targetId).Type;
      if (targetType === "AWS::SQS::Queue") {
        lines.push(`rule ${rule.Properties.EventBusName === "default" ? "default" : "tributary"} -> queue ${queueName(targetId)}`);
      } else if (targetType === "AWS::Lambda::Function") {
        lines.push(functionRuleTrigger(functionName(targetId), rule.Properties));
      } else {
        throw new Error(`rule targets a ${targetType}, which this test does not know how to describe`);
      }
    }
  }
  return lines.sort();
}

/**
 * A rule invoking a function, as `describeTrigger` renders it. The function is the rule's target; the trigger's
 * name is the one the stack gave the rule, in its description (`Wiring: <fn> <- schedule <name>` or `… <- bus rule <name>`).
 */
function functionRuleTrigger(fn: string, rule: Record<string, any>): string {
  const declared = /^Wiring: \S+ <- (schedule|bus rule) (\S+)$/.exec(String(rule.Description));
  if (!declared) throw new Error(`rule targeting ${fn} has no wiring description: ${String(rule.Description)}`);
  const [, kind, name] = declared;
  if (kind === "schedule") {
    if (!rule.ScheduleExpression) throw new Error(`schedule rule ${name} of ${fn} has no ScheduleExpression`);
    return `${fn} <- schedule ${name} ${rule.ScheduleExpression}`;
  }
  return `${fn} <- bus rule ${name}`;
}

/**
 * The Medallion template's side: each Task state of each state machine as `<function> <- step <machine>.<state>`
 * (the function found through the Ingest export its Resource imports), and each rule starting a machine as its
 * `Wiring: machine …` description says.
 */
function machineTriggers(medallion: Record<string, any>, ingest: Record<string, any>): string[] {
  const ingestResources = ingest.Resources as Record<string, Resource>;
  const functionOfImport = (arn: unknown): string => {
    const name = (arn as { "Fn::ImportValue"?: string })["Fn::ImportValue"];
    const output = Object.values(ingest.Outputs as Record<string, any>).find((o) => o.Export?.Name === name);
    const id = output?.Value?.["Fn::GetAtt"]?.[0];
    if (!id) throw new Error(`state machine Task resource ${JSON.stringify(arn)} is not an Ingest function`);
    return String(ingestResources[id]!.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
  };
  const lines: string[] = [];
  for (const [id, sm] of Object.entries(medallion.Resources as Record<string, Resource>).filter(([, r]) => r.Type === "AWS::StepFunctions::StateMachine")) {
    const parts = sm.Properties.DefinitionString["Fn::Join"][1] as unknown[];
    const imports: unknown[] = [];
    // Each import stands inside a JSON string ("Resource": "<import>"): splice in its index as `@<n>`.
    const text = parts.map((p) => (typeof p === "string" ? p : `@${imports.push(p) - 1}`)).join("");
    const definition = JSON.parse(text);
    // The stack's construct id is `<machine>-machine`, which CloudFormation's logical id keeps without the dash.
    const machineName = /^(.+)machine[0-9A-F]{8}$/.exec(id)?.[1] ?? id;
    const visit = (states: Record<string, any>) => {
      for (const [state, body] of Object.entries(states)) {
        if (body.Type === "Task") lines.push(`${functionOfImport(imports[Number(String(body.Resource).slice(1))])} <- step ${machineName}.${state}`);
        if (body.ItemProcessor) visit(body.ItemProcessor.States);
      }
    };
    visit(definition.States);
  }
  for (const [, rule] of Object.entries(medallion.Resources as Record<string, Resource>).filter(([, r]) => r.Type === "AWS::Events::Rule")) {
    const startsMachine = rule.Properties.Targets.some((t: any) => medallion.Resources[t.Arn?.Ref]?.Type === "AWS::StepFunctions::StateMachine");
    if (startsMachine) lines.push(String(rule.Properties.Description).replace(/^Wiring: /, ""));
  }
  return lines;
}

describe("wiring: stacks and local runtime agree", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ startMachines: true });
  });
  afterAll(async () => {
    await platform?.dispose();
    await removeSynthOutput();
  });

  it("registers the same function triggers and rules on both sides", async () => {
    // Prepare
    // Triggers are template resources: the functions' code need not be bundled.
    const { Ingest, Medallion } = await synthTemplates(undefined, { bundle: false });

    // Act
    const aws = [...templateTriggers(Ingest.toJSON().Resources), ...machineTriggers(Medallion.toJSON(), Ingest.toJSON())].sort();
    const local = [
      ...platform.triggers,
      ...platform.wiring.rules.map((r) => `rule ${r.bus} -> queue ${r.targetQueue}`),
    ].sort();

    // Assess
    expect(aws.length).toBeGreaterThan(0);
    expect(aws).toEqual(local);
  });
});
