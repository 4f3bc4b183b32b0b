/**
 * The pure logic of the GA proxy (no HTTP, no queues): GA4 limits, PII redaction, bot tagging, UA parsing and
 * mapping, and bronze records. `index.ts` re-exports it beside the handlers' wiring.
 */
export * from "./problems";
export * from "./errors";
export * from "./ga4-body";
export * from "./names";
export * from "./currencies";
export * from "./ga4-limits";
export * from "./phone-numbers";
export * from "./pii-spans";
export * from "./privacy";
export * from "./bots";
export * from "./ua";
export * from "./ua-to-ga4";
export * from "./rows";
