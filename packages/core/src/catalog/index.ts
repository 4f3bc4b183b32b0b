export * from "./errors";
export * from "./silver-columns";
export * from "./glue";
export * from "./tables";
export * from "./roles";
export * from "./duckdb";
