export * from "./errors";
export * from "./nodes";
export * from "./graph";
export * from "./announcement";
export * from "./bronze-rows";
export * from "./apply";
