/**
 * The medallion workflow on Step Functions: the ASL definition from `@tributary/core/workflows` (the one the
 * local platform runs), its Tasks answered by the medallion Lambdas the Ingest stack built from the wiring;
 * started by the wiring's schedule and bus rules; its lease freed when an execution is aborted or times out;
 * alarms on failed executions and on every dataset's freshness SLO.
 */
import { type StackContext, use } from "sst/constructs";
import { datasets } from "@tributary/core/config";
import { MACHINE_DEFINITIONS, MEDALLION_MACHINE } from "@tributary/core/workflows";
import { wiring } from "@tributary/core/wiring";
import { Ingest } from "./Ingest";
import { StackWiringError } from "./ingest/resources";
import { buildFreshnessAlarms, buildMachineAlarms } from "./medallion/alarms";
import { buildMachine, taskFunctionsOf } from "./medallion/machine";
import { suppressMedallionFindings } from "./medallion/nag";
import { buildLeaseRelease, buildMachineTriggers } from "./medallion/triggers";
import { tributaryConfig } from "./shared/config";
import { suppressSstFrameworkFindings } from "./shared/nag";

export function Medallion({ stack, app }: StackContext) {
  const config = tributaryConfig(app);
  const { functions, bus, alerts, logsKey } = use(Ingest);
  // Only machines and step triggers are read here; the bucket name matters to the Ingest stack's rules alone.
  const wired = wiring(config, { lakeBucket: "" });

  const machines = new Map<string, ReturnType<typeof buildMachine>>();
  for (const decl of wired.machines) {
    const known = MACHINE_DEFINITIONS[decl.name];
    if (!known) throw new StackWiringError(`stacks: the wiring declares state machine "${decl.name}", but no ASL definition is known for it`);
    const taskFunctions = taskFunctionsOf(decl.name, known.tasks, wired.functions, functions);
    const built = buildMachine(stack, decl, { definition: known.definition, taskFunctions, logsKey });
    buildMachineTriggers(stack, decl, built.machine, bus);
    buildLeaseRelease(stack, decl, built.machine, taskFunctions.get("ReleaseLease")!);
    buildMachineAlarms(stack, decl.name, built.machine, alerts);
    machines.set(decl.name, built);
  }
  const medallion = machines.get(MEDALLION_MACHINE)!;
  const freshnessAlarms = buildFreshnessAlarms(stack, datasets(config), {
    namespace: config.project,
    scheduleExpression: config.settings.medallionSchedule,
    topic: alerts,
  });

  suppressMedallionFindings([...machines.values()].map((m) => m.machine));
  suppressSstFrameworkFindings(stack);
  stack.addOutputs({ MedallionStateMachineArn: medallion.machine.stateMachineArn });
  return { machines, medallion: medallion.machine, freshnessAlarms };
}
