/**
 * EventBridge content filtering, for the operators of `wiring/event-pattern.ts`, with Event Ruler's semantics
 * (the engine behind EventBridge, https://github.com/aws/event-ruler):
 * - every field of the pattern must match (AND); the matchers listed for a field are alternatives (OR);
 * - an array in the event matches when any of its elements does; fields of objects inside arrays must match
 *   within the same element ("array consistency");
 * - matchers apply to leaf values only: a field holding an object is no leaf, so `exists: true` fails on it and
 *   `exists: false` holds; `exists: false` holds only when the path has no leaf anywhere in the event;
 * - `anything-but` needs the field to be present (a missing field does not match; `null` is a value and does);
 * - `prefix`, `suffix`, `equals-ignore-case`, `wildcard` match strings only, `numeric` JSON numbers only;
 *   `null` and `""` are different values.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import type { EventPattern, PatternMatcher } from "../../wiring";

type Leaf = string | number | boolean | null;

/**
 * Whether `event` matches `pattern`. Validate patterns once with `assertValidPattern` (rules do, when added).
 *
 * @example matchesPattern({ source: ["aws.s3"], detail: { object: { key: [{ prefix: "landing/" }] } } }, s3Event) // true
 */
export function matchesPattern(pattern: EventPattern, event: object): boolean {
  return matchObject(pattern, event, [event]);
}

/** `chosen` is the object being matched (one array element at a time); `everywhere` holds every object at this path. */
function matchObject(pattern: EventPattern, chosen: unknown, everywhere: unknown[]): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const value = fieldOf(chosen, field);
    const valueEverywhere = everywhere.flatMap((o) => flatten(fieldOf(o, field)));
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected, leavesOf(value), valueEverywhere)) return false;
    } else {
      const candidates = flatten(value).filter(isObject);
      const objectsEverywhere = valueEverywhere.filter(isObject);
      // No object here still has to be tried: a nested pattern of `exists: false` matches nothing at all.
      const tries: unknown[] = candidates.length > 0 ? candidates : [undefined];
      if (!tries.some((candidate) => matchObject(expected, candidate, objectsEverywhere))) return false;
    }
  }
  return true;
}

function matchLeaf(matchers: PatternMatcher[], leaves: Leaf[], everywhere: unknown[]): boolean {
  return matchers.some((matcher) => {
    if (matcher !== null && typeof matcher === "object" && "exists" in matcher) {
      return matcher.exists ? leaves.length > 0 : !everywhere.some(isLeaf);
    }
    return leaves.some((leaf) => matchValue(matcher, leaf));
  });
}

function matchValue(matcher: PatternMatcher, value: Leaf): boolean {
  if (matcher === null || typeof matcher !== "object") return matcher === value;
  if ("prefix" in matcher) return typeof value === "string" && value.startsWith(matcher.prefix);
  if ("suffix" in matcher) return typeof value === "string" && value.endsWith(matcher.suffix);
  if ("equals-ignore-case" in matcher) return typeof value === "string" && value.toLowerCase() === matcher["equals-ignore-case"].toLowerCase();
  if ("wildcard" in matcher) return typeof value === "string" && wildcardRegExp(matcher.wildcard).test(value);
  if ("numeric" in matcher) return typeof value === "number" && matchNumeric(matcher.numeric, value);
  if ("anything-but" in matcher) return !matchesExcluded(matcher["anything-but"], value);
  return false;
}

function matchesExcluded(excluded: string | number | (string | number)[] | { prefix: string }, value: Leaf): boolean {
  if (Array.isArray(excluded)) return excluded.some((x) => x === value);
  if (typeof excluded === "object") return typeof value === "string" && value.startsWith(excluded.prefix);
  return excluded === value;
}

function matchNumeric(conditions: (string | number)[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    switch (conditions[i]) {
      case "=":
        if (!(value === bound)) return false;
        break;
      case "<":
        if (!(value < bound)) return false;
        break;
      case "<=":
        if (!(value <= bound)) return false;
        break;
      case ">":
        if (!(value > bound)) return false;
        break;
      case ">=":
        if (!(value >= bound)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const wildcardCache = new Map<string, RegExp>();

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
export function wildcardRegExp(wildcard: string): RegExp {
  let compiled = wildcardCache.get(wildcard);
  if (compiled) return compiled;
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i]!;
    if (c === "\\" && i + 1 < wildcard.length) source += escapeRegExp(wildcard[++i]!);
    else if (c === "*") source += "[\\s\\S]*";
    else source += escapeRegExp(c);
  }
  compiled = new RegExp(`^${source}$`);
  wildcardCache.set(wildcard, compiled);
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function fieldOf(value: unknown, field: string): unknown {
  return isObject(value) ? value[field] : undefined;
}

/** Arrays in the event are "crushed": nested arrays contribute their elements. */
function flatten(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [value];
  return value.flatMap(flatten);
}

function leavesOf(value: unknown): Leaf[] {
  return flatten(value).filter(isLeaf);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
