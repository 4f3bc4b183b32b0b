export * from "./local-bus";
export * from "./envelope";
export * from "./match-pattern";
export * from "./validate-pattern";
