import { describe, expect, it } from "vitest";
import { InvalidScheduleExpressionError } from "../../packages/core/src/local/errors";
import { parseScheduleExpression } from "@tributary/core/local/schedule";

const next = (expression: string, after: string) => parseScheduleExpression(expression).nextAfter(new Date(after))?.toISOString();

describe("parseScheduleExpression", () => {
  // Several expressions are the examples of the EventBridge user guide's cron and rate tables.
  const fireTimes: [string, string, string | undefined][] = [
    ["rate(1 minute)", "2026-01-01T10:00:00.000Z", "2026-01-01T10:01:00.000Z"],
    ["rate(5 minutes)", "2026-01-01T10:00:00.000Z", "2026-01-01T10:05:00.000Z"],
    ["rate(1 hour)", "2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z"],
    ["rate(2 days)", "2026-01-01T10:00:00.000Z", "2026-01-03T10:00:00.000Z"],
    ["cron(0 10 * * ? *)", "2026-01-01T09:59:30.000Z", "2026-01-01T10:00:00.000Z"],
    ["cron(0 10 * * ? *)", "2026-01-01T10:00:00.000Z", "2026-01-02T10:00:00.000Z"],
    ["cron(0/15 * * * ? *)", "2026-01-01T10:07:00.000Z", "2026-01-01T10:15:00.000Z"],
    ["cron(5,35 14 * * ? *)", "2026-01-01T14:05:00.000Z", "2026-01-01T14:35:00.000Z"],
    ["cron(0/10 * ? * MON-FRI *)", "2026-01-03T12:00:00.000Z", "2026-01-05T00:00:00.000Z"],
    ["cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00:00.000Z", "2026-01-05T18:00:00.000Z"],
    ["cron(0 8 1 * ? *)", "2026-01-01T08:00:00.000Z", "2026-02-01T08:00:00.000Z"],
    ["cron(15 10 ? * 6L 2026-2027)", "2026-01-01T00:00:00.000Z", "2026-01-30T10:15:00.000Z"],
    ["cron(0 0 L * ? *)", "2026-02-01T00:00:00.000Z", "2026-02-28T00:00:00.000Z"],
    ["cron(0 9 ? * 2#1 *)", "2026-01-01T00:00:00.000Z", "2026-01-05T09:00:00.000Z"],
    ["cron(0 9 15W * ? *)", "2026-02-01T00:00:00.000Z", "2026-02-16T09:00:00.000Z"],
    ["cron(0 12 29 FEB ? *)", "2026-01-01T00:00:00.000Z", "2028-02-29T12:00:00.000Z"],
    ["cron(0 0 1 1 ? 2020)", "2026-01-01T00:00:00.000Z", undefined],
  ];

  it.each(fireTimes)("%s after %s fires at %s", (expression, after, expected) => {
    // Act
    const fire = next(expression, after);

    // Assess
    expect(fire).toBe(expected);
  });

  const invalid: [string, RegExp][] = [
    ["rate(1 minutes)", /singular unit "minute"/],
    ["rate(5 minute)", /plural unit "minutes"/],
    ["rate(0 minutes)", /positive integer/],
    ["rate(5 weeks)", /expected "rate/],
    ["cron(0 10 * * * *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 10 ? * ? *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 10 * *)", /needs 6 fields/],
    ["cron(60 * * * ? *)", /minutes value "60" is outside 0-59/],
    ["cron(0 10 ? * MON-SUN *)", /range "MON-SUN" runs backwards/],
    ["cron(0 10 ? * 2#6 *)", /1-5/],
    ["cron(0/0 * * * ? *)", /step "0"/],
    ["every 5 minutes", /expected "rate/],
  ];

  it.each(invalid)("rejects %s", (expression, reason) => {
    // Act
    const attempt = () => parseScheduleExpression(expression);

    // Assess
    expect(attempt).toThrow(InvalidScheduleExpressionError);
    expect(attempt).toThrow(`"${expression}"`);
    expect(attempt).toThrow(reason);
  });
});
