export * from "./ingest";
export * from "./feed-of-key";
export * from "./ledger";
export * from "./decode";
export * from "./read-rows";
export * from "./errors";
export * from "./notification";
