/**
 * The state machines the wiring may declare, by name: their Task states and ASL definition. The stacks deploy
 * from here and the local platform runs from here; a machine the wiring declares without an entry fails both.
 */
import { MEDALLION_MACHINE } from "../wiring";
import { MEDALLION_TASKS, medallionDefinition, type MedallionTask } from "./medallion-definition";

export interface MachineDefinition {
  tasks: readonly string[];
  /** The ASL, given each Task state's resource (a Lambda ARN on AWS). */
  definition(resourceOf: (state: string) => string): object;
}

export const MACHINE_DEFINITIONS: Readonly<Record<string, MachineDefinition>> = {
  [MEDALLION_MACHINE]: { tasks: MEDALLION_TASKS, definition: (resourceOf) => medallionDefinition((task: MedallionTask) => resourceOf(task)) },
};
