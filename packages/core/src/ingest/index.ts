export * from "./batch";
export * from "./announce";
export * from "./link-keys";
export * from "./queued-message";
export * from "./errors";
