/**
 * EventBridge event patterns — the subset of content filtering Tributary's config and wiring use.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export type PatternMatcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { "equals-ignore-case": string }
  | { "anything-but": string | number | (string | number)[] | { prefix: string } }
  | { numeric: (string | number)[] }
  | { exists: boolean }
  | { wildcard: string };

export interface EventPattern {
  [field: string]: PatternMatcher[] | EventPattern;
}
