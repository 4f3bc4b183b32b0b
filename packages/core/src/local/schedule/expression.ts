/**
 * EventBridge schedule expressions: `rate(value unit)` and `cron(six fields)`, as "when is the next fire after t".
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
import { InvalidScheduleExpressionError } from "../errors";
import { parseCron } from "./cron";

export interface ScheduleExpression {
  expression: string;
  kind: "rate" | "cron";
  /**
   * The next fire time strictly after `after`. For `rate`, that is one period later: pass the previous fire time
   * (EventBridge counts rates from when the rule was created, so the first fire is one period after start).
   * Undefined when a cron has no fire time left.
   */
  nextAfter(after: Date): Date | undefined;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

/**
 * @example parseScheduleExpression("rate(5 minutes)").nextAfter(new Date("2026-01-01T00:00:00Z")) // 2026-01-01T00:05:00Z
 * @example parseScheduleExpression("cron(0/15 * * * ? *)").kind // "cron"
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    const singular = !unit.endsWith("s");
    if (value < 1) throw new InvalidScheduleExpressionError(expression, "the rate value must be a positive integer");
    // EventBridge rejects "rate(1 minutes)" and "rate(5 minute)"; refusing them here keeps local and AWS in step.
    if (value === 1 && !singular) throw new InvalidScheduleExpressionError(expression, `a value of 1 takes the singular unit "${unit.slice(0, -1)}"`);
    if (value > 1 && singular) throw new InvalidScheduleExpressionError(expression, `a value above 1 takes the plural unit "${unit}s"`);
    const periodMs = value * UNIT_MS[(singular ? unit : unit.slice(0, -1)) as keyof typeof UNIT_MS];
    return { expression, kind: "rate", nextAfter: (after) => new Date(after.getTime() + periodMs) };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const parsed = parseCron(cron[1]!, expression);
    return { expression, kind: "cron", nextAfter: (after) => parsed.nextAfter(after) };
  }
  throw new InvalidScheduleExpressionError(expression, 'expected "rate(<n> minute[s]|hour[s]|day[s])" or "cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)"');
}
