/**
 * The wiring writes event patterns as EventBridge does (`"detail-type"`); CDK's `EventPattern` spells the
 * top-level fields in camelCase and renders them back to EventBridge's names. Nested fields pass unchanged.
 */
import type * as events from "aws-cdk-lib/aws-events";
import type { EventPattern } from "@tributary/core/wiring";

const CDK_FIELD_NAMES: Record<string, keyof events.EventPattern> = { "detail-type": "detailType" };

export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(pattern)) out[CDK_FIELD_NAMES[field] ?? field] = value;
  return out as events.EventPattern;
}
