export * from "./expression";
export * from "./start-schedule";
