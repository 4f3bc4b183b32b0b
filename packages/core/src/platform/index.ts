export * from "./ports";
export * from "./current";
