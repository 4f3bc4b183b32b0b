/**
 * Cases taken from the EventBridge user guide (comparison operators, null/empty values, arrays) and Event Ruler's
 * README (array consistency, exists on intermediate nodes):
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * https://github.com/aws/event-ruler#readme
 */
import { describe, expect, it } from "vitest";
import { InvalidEventPatternError } from "../../packages/core/src/local/errors";
import { assertValidPattern, matchesPattern } from "@tributary/core/local/bus";
import type { EventPattern } from "@tributary/core/wiring";

const ec2Event = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: { "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33", "instance-id": "i-000000aaaaaa00000", state: "running" },
};

interface Case {
  name: string;
  pattern: EventPattern;
  event: object;
  matches: boolean;
}

const cases: Case[] = [
  // Exact values, AND across fields, OR within a list
  { name: "exact values on several fields", pattern: { source: ["aws.ec2"], detail: { state: ["initializing", "running"] } }, event: ec2Event, matches: true },
  { name: "one field not matching fails the whole pattern", pattern: { source: ["aws.ec2"], detail: { state: ["stopped"] } }, event: ec2Event, matches: false },
  { name: "values are case sensitive", pattern: { source: ["AWS.EC2"] }, event: ec2Event, matches: false },
  { name: "a field missing from the event does not match", pattern: { detail: { missing: ["x"] } }, event: ec2Event, matches: false },
  { name: "an event array matches when it intersects the list", pattern: { resources: ["arn:other", "arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"] }, event: ec2Event, matches: true },
  { name: "an event array with no common value does not match", pattern: { resources: ["arn:other"] }, event: ec2Event, matches: false },
  { name: "numbers match numerically", pattern: { detail: { "c-count": [5.0] } }, event: ec2Event, matches: true },
  { name: "a number does not match its string", pattern: { detail: { "c-count": ["5"] } }, event: ec2Event, matches: false },
  { name: "booleans match booleans", pattern: { detail: { ok: [true] } }, event: { detail: { ok: true } }, matches: true },
  // Null and empty values
  { name: "empty string matches an empty string", pattern: { detail: { eventVersion: [""] } }, event: { detail: { eventVersion: "", responseElements: null } }, matches: true },
  { name: "null matches null", pattern: { detail: { responseElements: [null] } }, event: { detail: { eventVersion: "", responseElements: null } }, matches: true },
  { name: "empty string does not match null", pattern: { detail: { responseElements: [""] } }, event: { detail: { eventVersion: "", responseElements: null } }, matches: false },
  { name: "null does not match a missing field", pattern: { detail: { absent: [null] } }, event: { detail: {} }, matches: false },
  // prefix / suffix / equals-ignore-case / wildcard
  { name: "prefix", pattern: { time: [{ prefix: "2017-10-02" }] }, event: ec2Event, matches: true },
  { name: "prefix not matching", pattern: { time: [{ prefix: "2018" }] }, event: ec2Event, matches: false },
  { name: "prefix only applies to strings", pattern: { detail: { "c-count": [{ prefix: "5" }] } }, event: ec2Event, matches: false },
  { name: "suffix", pattern: { FileName: [{ suffix: ".png" }] }, event: { FileName: "image.png" }, matches: true },
  { name: "suffix not matching", pattern: { FileName: [{ suffix: ".png" }] }, event: { FileName: "image.jpg" }, matches: false },
  { name: "equals-ignore-case", pattern: { Name: [{ "equals-ignore-case": "alice" }] }, event: { Name: "ALICE" }, matches: true },
  { name: "equals-ignore-case is still whole-value", pattern: { Name: [{ "equals-ignore-case": "alice" }] }, event: { Name: "Alice B" }, matches: false },
  { name: "wildcard across path segments", pattern: { FilePath: [{ wildcard: "dir/*.png" }] }, event: { FilePath: "dir/sub/image.png" }, matches: true },
  { name: "wildcard not matching", pattern: { FilePath: [{ wildcard: "dir/*.png" }] }, event: { FilePath: "other/image.png" }, matches: false },
  { name: "wildcard with an escaped star is literal", pattern: { Key: [{ wildcard: "a\\*b" }] }, event: { Key: "a*b" }, matches: true },
  { name: "wildcard escaped star does not match other text", pattern: { Key: [{ wildcard: "a\\*b" }] }, event: { Key: "axxb" }, matches: false },
  { name: "wildcard treats regex characters literally", pattern: { Key: [{ wildcard: "a.b*" }] }, event: { Key: "axb-1" }, matches: false },
  // anything-but
  { name: "anything-but a value", pattern: { detail: { state: [{ "anything-but": "initializing" }] } }, event: ec2Event, matches: true },
  { name: "anything-but the value present", pattern: { detail: { state: [{ "anything-but": "running" }] } }, event: ec2Event, matches: false },
  { name: "anything-but a list", pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, event: ec2Event, matches: true },
  { name: "anything-but a list holding the value", pattern: { detail: { state: [{ "anything-but": ["stopped", "running"] }] } }, event: ec2Event, matches: false },
  { name: "anything-but numbers", pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, event: ec2Event, matches: true },
  { name: "anything-but numbers holding the value", pattern: { detail: { "c-count": [{ "anything-but": [5] }] } }, event: ec2Event, matches: false },
  { name: "anything-but prefix", pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, event: ec2Event, matches: true },
  { name: "anything-but prefix of the value", pattern: { detail: { state: [{ "anything-but": { prefix: "run" } }] } }, event: ec2Event, matches: false },
  { name: "anything-but needs the field to exist", pattern: { detail: { missing: [{ "anything-but": "x" }] } }, event: ec2Event, matches: false },
  { name: "anything-but matches a null value", pattern: { detail: { command: [{ "anything-but": ["no-message"] }] } }, event: { detail: { command: null } }, matches: true },
  { name: "anything-but over an array: any other element matches", pattern: { tags: [{ "anything-but": "a" }] }, event: { tags: ["a", "b"] }, matches: true },
  // numeric
  { name: "numeric range", pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, event: ec2Event, matches: true },
  { name: "numeric upper bound only", pattern: { detail: { "d-count": [{ numeric: ["<", 10] }] } }, event: ec2Event, matches: true },
  { name: "numeric equals in exponent form", pattern: { detail: { "x-limit": [{ numeric: ["=", 3.018e2] }] } }, event: ec2Event, matches: true },
  { name: "numeric outside the range", pattern: { detail: { "c-count": [{ numeric: [">", 5, "<=", 10] }] } }, event: ec2Event, matches: false },
  { name: "numeric only matches JSON numbers", pattern: { detail: { count: [{ numeric: [">", 0] }] } }, event: { detail: { count: "5" } }, matches: false },
  // exists
  { name: "exists true on a present field", pattern: { detail: { "c-count": [{ exists: true }] } }, event: ec2Event, matches: true },
  { name: "exists true on a missing field", pattern: { detail: { "e-count": [{ exists: true }] } }, event: ec2Event, matches: false },
  { name: "exists true on a null value", pattern: { detail: { x: [{ exists: true }] } }, event: { detail: { x: null } }, matches: true },
  { name: "exists false on a missing field", pattern: { detail: { "e-count": [{ exists: false }] } }, event: ec2Event, matches: true },
  { name: "exists false on a present field", pattern: { detail: { "c-count": [{ exists: false }] } }, event: ec2Event, matches: false },
  { name: "exists false when even the parent is missing", pattern: { detail: { nested: { x: [{ exists: false }] } } }, event: ec2Event, matches: true },
  { name: "exists only works on leaves: false holds on an object", pattern: { detail: { "c-count": [{ exists: false }] } }, event: { detail: { "c-count": { c1: 100 } } }, matches: true },
  { name: "exists only works on leaves: true fails on an object", pattern: { detail: { "c-count": [{ exists: true }] } }, event: { detail: { "c-count": { c1: 100 } } }, matches: false },
  { name: "exists or a value (OR within the list)", pattern: { detail: { x: [{ exists: false }, "a"] } }, event: { detail: { x: "a" } }, matches: true },
  // Arrays of objects
  { name: "a field inside an array of objects", pattern: { employees: { firstName: ["Anna"] } }, event: { employees: [{ firstName: "John" }, { firstName: "Anna" }] }, matches: true },
  { name: "arrays of arrays are crushed", pattern: { employees: { firstName: ["Peter"] } }, event: { employees: [[{ firstName: "John" }], [{ firstName: "Peter" }]] }, matches: true },
  {
    name: "fields from different array elements do not combine",
    pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } },
    event: { employees: [{ firstName: "Anna", lastName: "Smith" }, { firstName: "Peter", lastName: "Jones" }] },
    matches: false,
  },
  {
    name: "fields from the same array element combine",
    pattern: { employees: { firstName: ["Anna"], lastName: ["Smith"] } },
    event: { employees: [{ firstName: "Anna", lastName: "Smith" }, { firstName: "Peter", lastName: "Jones" }] },
    matches: true,
  },
  { name: "exists false sees every array element", pattern: { items: { middle: [{ exists: false }] } }, event: { items: [{ first: "a" }, { middle: "b" }] }, matches: false },
  // The S3 notification rule the wiring declares
  {
    name: "S3 Object Created under landing/",
    pattern: { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["lake"] }, object: { key: [{ prefix: "landing/" }] } } },
    event: { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: "lake" }, object: { key: "landing/orders/1.csv", size: 10 } } },
    matches: true,
  },
  {
    name: "S3 Object Created elsewhere in the bucket",
    pattern: { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["lake"] }, object: { key: [{ prefix: "landing/" }] } } },
    event: { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: "lake" }, object: { key: "bronze/orders/1.parquet" } } },
    matches: false,
  },
];

describe("matchesPattern", () => {
  it.each(cases)("$name → $matches", ({ pattern, event, matches }) => {
    // Prepare
    assertValidPattern(pattern);

    // Act
    const result = matchesPattern(pattern, event);

    // Assess
    expect(result).toBe(matches);
  });
});

describe("assertValidPattern", () => {
  const invalid: [string, unknown, RegExp][] = [
    ["a bare value instead of a list", { source: "aws.s3" }, /source is invalid: values must be listed in an array/],
    ["an empty list", { source: [] }, /matches nothing/],
    ["an unknown operator", { ip: [{ cidr: "10.0.0.0/24" }] }, /operator "cidr" is not supported/],
    ["$or", { $or: [{ a: ["x"] }, { b: ["y"] }] }, /\$or is not supported/],
    ["two operators in one object", { a: [{ prefix: "x", suffix: "y" }] }, /exactly one key/],
    ["a numeric range without an upper bound", { n: [{ numeric: [">", 1, ">", 2] }] }, /one lower .* and one upper/],
    ["a numeric range that runs backwards", { n: [{ numeric: [">", 10, "<", 1] }] }, /lower bound is above/],
    ["a numeric unknown operator", { n: [{ numeric: ["!=", 1] }] }, /unknown operator/],
    ["anything-but null", { a: [{ "anything-but": [null] }] }, /only strings or only numbers/],
    ["anything-but mixing strings and numbers", { a: [{ "anything-but": ["a", 1] }] }, /only strings or only numbers/],
    ["consecutive wildcards", { a: [{ wildcard: "a**b" }] }, /consecutive \*/],
    ["a backslash escaping a letter in a wildcard", { a: [{ wildcard: "a\\b" }] }, /may only escape/],
    ["exists with a string", { a: [{ exists: "yes" }] }, /exists takes true or false/],
    ["a nested value that is not an object or a list", { detail: { a: 1 } }, /detail\.a is invalid/],
  ];

  it.each(invalid)("rejects %s", (_name, pattern, message) => {
    // Act
    const attempt = () => assertValidPattern(pattern);

    // Assess
    expect(attempt).toThrow(InvalidEventPatternError);
    expect(attempt).toThrow(message);
  });
});
