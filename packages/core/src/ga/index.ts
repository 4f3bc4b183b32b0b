export * from "./hit";
export * from "./accept";
export * from "./land";
export * from "./logic";
export * from "./forward";
export * from "./forward-queued";
