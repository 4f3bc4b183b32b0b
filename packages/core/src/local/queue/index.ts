export * from "./local-queue";
export * from "./queue-types";
export * from "./open-declared-queue";
export * from "./consumer";
export * from "./sqs-event";
export type { WaitForMessagesOptions } from "./visibility-waiters";
