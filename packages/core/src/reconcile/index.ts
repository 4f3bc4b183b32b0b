export * from "./errors";
export * from "./scope";
export * from "./arrivals";
export * from "./reconcile";
