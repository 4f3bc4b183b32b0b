/**
 * Rejects event patterns EventBridge would reject, and operators the local bus does not implement, with the path
 * of the offending part — so a rule that would never match locally fails loudly instead.
 */
import type { EventPattern } from "../../wiring";
import { InvalidEventPatternError } from "../errors";

const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);

/**
 * @example assertValidPattern({ source: [{ prefix: "" }] }); // ok
 * @example assertValidPattern({ source: "aws.s3" });          // throws: values must be listed in an array
 */
export function assertValidPattern(pattern: unknown, path = ""): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError(path, `expected an object, got ${describe(pattern)}`);
  const fields = Object.keys(pattern);
  if (fields.length === 0) throw new InvalidEventPatternError(path, "an empty object matches nothing; leave the field out instead");
  for (const field of fields) {
    const at = path ? `${path}.${field}` : field;
    if (field === "$or") throw new InvalidEventPatternError(at, "$or is not supported by the local bus");
    const value = pattern[field];
    if (Array.isArray(value)) assertValidMatchers(value, at);
    else if (isPlainObject(value)) assertValidPattern(value, at);
    else throw new InvalidEventPatternError(at, `values must be listed in an array, got ${describe(value)}`);
  }
}

function assertValidMatchers(matchers: unknown[], path: string): void {
  if (matchers.length === 0) throw new InvalidEventPatternError(path, "an empty list matches nothing");
  matchers.forEach((matcher, i) => assertValidMatcher(matcher, `${path}[${i}]`));
}

function assertValidMatcher(matcher: unknown, path: string): void {
  if (matcher === null || ["string", "number", "boolean"].includes(typeof matcher)) return;
  if (!isPlainObject(matcher)) throw new InvalidEventPatternError(path, `expected a value or an operator object, got ${describe(matcher)}`);
  const operators = Object.keys(matcher);
  if (operators.length !== 1) throw new InvalidEventPatternError(path, `an operator object has exactly one key, got ${operators.join(", ") || "none"}`);
  const operator = operators[0]!;
  const operand = matcher[operator];
  switch (operator) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof operand !== "string") throw new InvalidEventPatternError(path, `${operator} takes a string, got ${describe(operand)}`);
      return;
    case "wildcard":
      return assertValidWildcard(operand, path);
    case "exists":
      if (typeof operand !== "boolean") throw new InvalidEventPatternError(path, `exists takes true or false, got ${describe(operand)}`);
      return;
    case "numeric":
      return assertValidNumeric(operand, path);
    case "anything-but":
      return assertValidAnythingBut(operand, path);
    default:
      throw new InvalidEventPatternError(path, `operator "${operator}" is not supported by the local bus`);
  }
}

function assertValidAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === "string" || (typeof operand === "number" && Number.isFinite(operand))) return;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === "string");
    const allNumbers = operand.every((v) => typeof v === "number" && Number.isFinite(v));
    if (operand.length > 0 && (allStrings || allNumbers)) return;
    throw new InvalidEventPatternError(path, `anything-but lists hold only strings or only numbers, got ${describe(operand)}`);
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand.prefix === "string") return;
  throw new InvalidEventPatternError(path, `anything-but takes a string, a number, a list of either or { prefix }, got ${describe(operand)}`);
}

function assertValidNumeric(operand: unknown, path: string): void {
  const bad = (reason: string) => new InvalidEventPatternError(path, `numeric ${describe(operand)}: ${reason}`);
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw bad("expected [op, number] or [op, number, op, number]");
  const pairs: [string, number][] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const [op, bound] = [operand[i], operand[i + 1]];
    if (typeof op !== "string" || !NUMERIC_OPERATORS.has(op)) throw bad(`unknown operator ${describe(op)}`);
    if (typeof bound !== "number" || !Number.isFinite(bound)) throw bad(`bound ${describe(bound)} is not a number`);
    pairs.push([op, bound]);
  }
  if (pairs.length === 2) {
    const lower = pairs.find(([op]) => op === ">" || op === ">=");
    const upper = pairs.find(([op]) => op === "<" || op === "<=");
    if (!lower || !upper) throw bad("a range needs one lower (>, >=) and one upper (<, <=) bound");
    if (lower[1] > upper[1]) throw bad("the lower bound is above the upper bound");
  }
}

function assertValidWildcard(operand: unknown, path: string): void {
  if (typeof operand !== "string") throw new InvalidEventPatternError(path, `wildcard takes a string, got ${describe(operand)}`);
  for (let i = 0; i < operand.length; i++) {
    const c = operand[i];
    if (c === "\\") {
      const next = operand[i + 1];
      if (next !== "*" && next !== "\\") throw new InvalidEventPatternError(path, `wildcard ${describe(operand)}: a backslash may only escape * or \\`);
      i++;
    } else if (c === "*" && operand[i + 1] === "*") {
      throw new InvalidEventPatternError(path, `wildcard ${describe(operand)}: consecutive * are not allowed`);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}
