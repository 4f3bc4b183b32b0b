/**
 * What starts a state machine: its schedule and its bus rules from the wiring. And what frees its lease when an
 * execution ends without its own last step — aborted by an operator or timed out: Step Functions announces the
 * status change on the default bus, and the Lambda answering `ReleaseLease` gets it with the execution's id (the
 * lease holder). Failed executions release through their Catch already.
 */
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { EventBus, Function } from "sst/constructs";
import { describeMachineTriggers, type MachineDecl } from "@tributary/core/wiring";
import { toCdkEventPattern } from "../ingest/event-pattern";

/** Each rule's description is `Wiring: <describeMachineTriggers line>`, which the wiring test compares with the local side. */
export function buildMachineTriggers(scope: Construct, decl: MachineDecl, machine: sfn.StateMachine, bus: EventBus): events.Rule[] {
  const [scheduleLine, ...busLines] = describeMachineTriggers(decl);
  const rules = [
    new events.Rule(scope, decl.schedule.name, {
      description: `Wiring: ${scheduleLine}`,
      schedule: events.Schedule.expression(decl.schedule.expression),
      targets: [new targets.SfnStateMachine(machine, { input: events.RuleTargetInput.fromObject({ startedBy: decl.schedule.name }) })],
    }),
  ];
  for (const [i, start] of decl.startOn.entries()) {
    rules.push(
      new events.Rule(scope, start.rule, {
        description: `Wiring: ${busLines[i]}`,
        eventBus: bus.cdk.eventBus,
        eventPattern: toCdkEventPattern(start.pattern),
        targets: [new targets.SfnStateMachine(machine, { input: events.RuleTargetInput.fromObject({ startedBy: start.rule }) })],
      }),
    );
  }
  return rules;
}

export function buildLeaseRelease(scope: Construct, decl: MachineDecl, machine: sfn.StateMachine, releaser: Function): events.Rule {
  return new events.Rule(scope, `${decl.name}-release-lease`, {
    description: `Frees ${decl.name}'s lease when an execution is aborted or times out`,
    eventPattern: {
      source: ["aws.states"],
      detailType: ["Step Functions Execution Status Change"],
      detail: { status: ["ABORTED", "TIMED_OUT"], stateMachineArn: [machine.stateMachineArn] },
    },
    targets: [
      new targets.LambdaFunction(releaser, {
        event: events.RuleTargetInput.fromObject({ task: "ReleaseLease", input: {}, execution: events.EventField.fromPath("$.detail.executionArn") }),
      }),
    ],
  });
}
