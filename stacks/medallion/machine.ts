/**
 * A state machine of the wiring on Step Functions: the ASL definition core builds (the one the local platform
 * runs), each Task pointing at the Lambda whose `step` trigger names that state; its role may invoke exactly
 * those Lambdas. Logs (level ALL, without execution data: states carry lineage lists, never rows) go to a
 * KMS-encrypted log group; X-Ray tracing is on.
 */
import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { Function } from "sst/constructs";
import type { FunctionDecl, MachineDecl } from "@tributary/core/wiring";
import { FUNCTION_LOG_RETENTION } from "../shared/function-defaults";
import { StackWiringError } from "../ingest/resources";

export interface BuiltMachine {
  machine: sfn.StateMachine;
  /** Task state → the Lambda answering it. */
  taskFunctions: Map<string, Function>;
}

/** Task state → the function whose step trigger names it; a state no function answers fails synth. */
export function taskFunctionsOf(machine: string, states: readonly string[], decls: FunctionDecl[], functions: ReadonlyMap<string, Function>): Map<string, Function> {
  const out = new Map<string, Function>();
  for (const state of states) {
    const decl = decls.find((d) => d.triggers.some((t) => t.kind === "step" && t.machine === machine && t.state === state));
    const fn = decl && functions.get(decl.name);
    if (!fn) throw new StackWiringError(`stacks: state machine "${machine}" has Task state "${state}", but no wired function has a step trigger for it`);
    out.set(state, fn);
  }
  return out;
}

export function buildMachine(
  scope: Construct,
  decl: MachineDecl,
  options: { definition: (resourceOf: (state: string) => string) => object; taskFunctions: Map<string, Function>; logsKey: kms.IKey },
): BuiltMachine {
  const arnOf = (state: string) => options.taskFunctions.get(state)!.functionArn;
  const logGroup = new logs.LogGroup(scope, `${decl.name}-machine-logs`, { retention: FUNCTION_LOG_RETENTION, encryptionKey: options.logsKey });
  const machine = new sfn.StateMachine(scope, `${decl.name}-machine`, {
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(options.definition(arnOf))),
    timeout: Duration.minutes(decl.timeoutMinutes),
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
  // A definition given as text names its Lambdas only inside the JSON, so CDK cannot grant their invocation.
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "InvokeTaskFunctions",
      actions: ["lambda:InvokeFunction"],
      resources: [...new Set([...options.taskFunctions.values()])].map((fn) => fn.functionArn),
    }),
  );
  return { machine, taskFunctions: options.taskFunctions };
}
