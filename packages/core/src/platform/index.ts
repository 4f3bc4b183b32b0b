export * from "./ports";
export * from "./current";
export * from "./aws";
export * from "./aws-env";
export * from "./conditional-check";
export * from "./lease";
