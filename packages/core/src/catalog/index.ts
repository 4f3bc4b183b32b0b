export * from "./glue";
export * from "./duckdb";
