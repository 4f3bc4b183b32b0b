export * from "./errors";
export * from "./layout";
export * from "./pii-sql";
export * from "./silver-sql";
export * from "./silver-merge";
export * from "./gold-schema";
export * from "./entity-sql";
