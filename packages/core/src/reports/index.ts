export * from "./errors";
export * from "./values";
export * from "./facts";
export * from "./report-table";
export * from "./report";
export * from "./serve";
