export * from "./run-state-machine";
export * from "./task-states";
