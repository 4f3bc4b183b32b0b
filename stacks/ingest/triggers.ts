/**
 * Turns a function's wiring triggers into AWS event sources: queue → SQS event source mapping (partial batch
 * responses on), bus → rule on the `tributary` bus, schedule → scheduled rule, http → a route collected for the
 * Api. Step triggers are the Medallion stack's: it points the state machine's Task states at these functions.
 */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Function } from "sst/constructs";
import type { Construct } from "constructs";
import type { FunctionDecl, QueueDecl } from "@tributary/core/wiring";
import { toCdkEventPattern } from "./event-pattern";
import { queueOf, StackWiringError, type WiredResources } from "./resources";

export interface TriggerContext {
  resources: WiredResources;
  queueDecls: QueueDecl[];
  /** `"POST /v1/…"` → function; filled here, turned into the Api by the caller. */
  routes: Map<string, Function>;
}

export function connectTriggers(scope: Construct, fn: Function, decl: FunctionDecl, ctx: TriggerContext): void {
  for (const trigger of decl.triggers) {
    switch (trigger.kind) {
      case "http": {
        const route = `${trigger.method} ${trigger.path}`;
        if (ctx.routes.has(route)) throw new StackWiringError(`stacks: route "${route}" is wired to two functions`);
        ctx.routes.set(route, fn);
        break;
      }
      case "queue": {
        const queue = queueOf(ctx.resources, trigger.queue, `function "${decl.name}" (queue trigger)`);
        assertVisibilityCoversTimeout(decl, ctx.queueDecls.find((q) => q.name === trigger.queue));
        fn.addEventSource(
          new SqsEventSource(queue.cdk.queue, {
            batchSize: trigger.batchSize,
            maxBatchingWindow: Duration.seconds(trigger.batchWindowSeconds),
            // Handlers answer with the failed message ids only, so one poison record never fails its batch.
            reportBatchItemFailures: true,
          }),
        );
        break;
      }
      case "bus":
        new events.Rule(scope, `${decl.name}-${trigger.rule}`, {
          description: `Wiring: ${decl.name} <- bus rule ${trigger.rule}`,
          eventBus: ctx.resources.bus.cdk.eventBus,
          eventPattern: toCdkEventPattern(trigger.pattern),
          targets: [new targets.LambdaFunction(fn)],
        });
        break;
      case "schedule":
        new events.Rule(scope, `${decl.name}-${trigger.name}`, {
          description: `Wiring: ${decl.name} <- schedule ${trigger.name}`,
          schedule: events.Schedule.expression(trigger.expression),
          targets: [new targets.LambdaFunction(fn, trigger.input ? { event: events.RuleTargetInput.fromObject(trigger.input) } : {})],
        });
        break;
      case "step":
        // Built by the Medallion stack (stacks/medallion/machine.ts), which fails synth for a Task no function answers.
        break;
    }
  }
}

/** Lambda refuses an SQS event source whose queue hides messages for less time than the function may run. */
function assertVisibilityCoversTimeout(decl: FunctionDecl, queue: QueueDecl | undefined): void {
  if (queue && queue.visibilityTimeoutSeconds < decl.timeoutSeconds) {
    throw new StackWiringError(
      `stacks: queue "${queue.name}" hides messages for ${queue.visibilityTimeoutSeconds}s, less than function "${decl.name}"'s timeout of ${decl.timeoutSeconds}s`,
    );
  }
}
