export * from "./wiring";
export * from "./event-pattern";
