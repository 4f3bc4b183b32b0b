// Each domain is a namespace: callers read `Streams.acceptRecords(...)`, `Lake.datasetPrefix(...)`.
export * as Config from "./config";
export * as Lake from "./lake";
export * as Wiring from "./wiring";
export * as Platform from "./platform";
export * as Ingest from "./ingest";
export * as Streams from "./streams";
export * as Files from "./files";
export * as Catalog from "./catalog";
export * as Cdc from "./cdc";
export * as Link from "./link";
export * as Reports from "./reports";
export * as Medallion from "./medallion";
export * as Ops from "./ops";
export * as Reconcile from "./reconcile";
