export * from "./batch";
export * from "./announce";
export * from "./link-keys";
