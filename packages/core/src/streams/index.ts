export * from "./accept";
export * from "./http";
export * from "./land";
export * from "./envelope";
export * from "./client-ip";
export * from "./errors";
export * from "./api-keys";
