export * from "./schema";
export * from "./parse";
export * from "./errors";
export * from "./datasets";
export * from "./column-types";
export * from "./time";
export * from "./row-validator";
