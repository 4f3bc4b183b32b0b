/**
 * The wiring's state machines, run locally: each Task state answered by the wired function whose `step` trigger
 * names it (invoked like Lambda invokes it), started by the machine's schedule and bus rules when the platform
 * starts machines (`tributary dev` does; tests and the demo run them on demand, so a run they did not ask for
 * never races theirs).
 */
import { MEDALLION_MACHINE } from "../medallion";
import type { Ports } from "../platform";
import { BUS_NAME, describeMachineTriggers, type FunctionDecl, type MachineDecl } from "../wiring";
import type { LocalBus } from "./bus";
import { invokeLocally, type Handler } from "./lambda-context";
import { runMedallionLocally } from "./medallion-runner";
import { startSchedule, type RunningSchedule } from "./schedule";
import type { StateMachineRunResult, TaskHandler } from "./stepfunctions";

export interface LocalMachines {
  /** Runs a machine now, through its wired functions. */
  run(name: string, options?: { signal?: AbortSignal }): Promise<StateMachineRunResult>;
  /** `describeMachineTriggers` lines of the triggers started (none when machines are run on demand only). */
  triggers: string[];
  stop(): Promise<void>;
}

export interface LocalMachinesOptions {
  machines: MachineDecl[];
  functions: { decl: FunctionDecl; handler: Handler }[];
  ports: Ports;
  bus: LocalBus;
  /** Start machines on their schedules and bus rules; otherwise only `run` starts them. */
  autoStart: boolean;
  schedules: Map<string, RunningSchedule>;
  onError(error: unknown): void;
}

export function startLocalMachines(options: LocalMachinesOptions): LocalMachines {
  const taskHandlersOf = (machine: string): Record<string, TaskHandler> => {
    const handlers: Record<string, TaskHandler> = {};
    for (const { decl, handler } of options.functions) {
      for (const t of decl.triggers) if (t.kind === "step" && t.machine === machine) handlers[t.state] = (event) => invokeLocally(decl, handler, event);
    }
    return handlers;
  };
  const run = async (name: string, runOptions: { signal?: AbortSignal } = {}) => {
    if (name !== MEDALLION_MACHINE) throw new Error(`local: no state machine named "${name}" (declared: ${options.machines.map((m) => m.name).join(", ")})`);
    return runMedallionLocally(options.ports, { taskHandlers: taskHandlersOf(name), ...runOptions });
  };

  const triggers: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  // Bus-started runs are not awaited by the event's sender (EventBridge starts an execution and returns);
  // stopping the platform waits for them.
  const inFlight = new Set<Promise<void>>();
  if (options.autoStart) {
    for (const machine of options.machines) {
      const start = () =>
        run(machine.name).then((result) => {
          if (result.status !== "SUCCEEDED") options.onError(new Error(`local: ${machine.name} ${result.status}: ${result.error?.error}: ${result.error?.cause}`));
        });
      const schedule = startSchedule({ expression: machine.schedule.expression, run: start, onError: options.onError });
      options.schedules.set(machine.schedule.name, schedule);
      stops.push(() => schedule.stop());
      for (const rule of machine.startOn) {
        options.bus.addRule({
          name: rule.rule,
          bus: BUS_NAME,
          pattern: rule.pattern,
          target: async () => {
            const running = start().catch(options.onError);
            inFlight.add(running);
            void running.finally(() => inFlight.delete(running));
          },
        });
      }
      triggers.push(...describeMachineTriggers(machine));
    }
  }
  return {
    run,
    triggers,
    stop: async () => {
      for (const stop of stops) await stop();
      await Promise.all(inFlight);
    },
  };
}
