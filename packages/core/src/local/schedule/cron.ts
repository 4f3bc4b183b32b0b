/**
 * EventBridge's six-field cron, evaluated in UTC: `cron(minutes hours day-of-month month day-of-week year)`.
 * Fields take `*`, lists (`,`), ranges (`-`) and steps (`/`); months and weekdays also take names (JAN, MON);
 * weekdays count 1 = SUN … 7 = SAT. One of day-of-month / day-of-week must be `?` and the other not. Also
 * supported: `L` (last day of the month), `LW` (last weekday), `nW` (weekday nearest day n) in day-of-month, and
 * `nL` (last weekday n of the month), `n#k` (k-th weekday n) in day-of-week.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions
 */
import { InvalidScheduleExpressionError } from "../errors";

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const MINUTES: FieldSpec = { name: "minutes", min: 0, max: 59 };
const HOURS: FieldSpec = { name: "hours", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31 };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] };
const DAY_OF_WEEK: FieldSpec = { name: "day-of-week", min: 1, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] };
const YEAR: FieldSpec = { name: "year", min: 1970, max: 2199 };

/** Whether a given day (UTC year, month 1-12, day 1-31) is selected by the day-of-month and day-of-week fields. */
type DayMatcher = (year: number, month: number, day: number) => boolean;

export interface Cron {
  /** The first matching minute strictly after `after`, or undefined when none is left (years end at 2199). */
  nextAfter(after: Date): Date | undefined;
}

/**
 * Parses the inside of `cron(...)`.
 *
 * @example parseCron("0 2 * * ? *").nextAfter(new Date("2026-01-01T03:00:00Z")) // 2026-01-02T02:00:00Z
 */
export function parseCron(fields: string, expression = `cron(${fields})`): Cron {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) throw new InvalidScheduleExpressionError(expression, `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`);
  const [minuteField, hourField, domField, monthField, dowField, yearField] = parts as [string, string, string, string, string, string];
  if ((domField === "?") === (dowField === "?")) {
    throw new InvalidScheduleExpressionError(expression, "exactly one of day-of-month and day-of-week must be ?");
  }
  const fail = (reason: string) => new InvalidScheduleExpressionError(expression, reason);
  const minutes = parseSet(minuteField, MINUTES, fail);
  const hours = parseSet(hourField, HOURS, fail);
  const months = parseSet(monthField, MONTH, fail);
  const years = parseSet(yearField, YEAR, fail);
  const dayMatches = domField === "?" ? parseDayOfWeek(dowField, fail) : parseDayOfMonth(domField, fail);
  return { nextAfter: (after) => nextMatch(after, { minutes, hours, months, years, dayMatches }) };
}

interface CompiledCron {
  minutes: boolean[];
  hours: boolean[];
  months: boolean[];
  years: boolean[];
  dayMatches: DayMatcher;
}

function nextMatch(after: Date, cron: CompiledCron): Date | undefined {
  // Start at the next whole minute; then jump field by field instead of walking minute by minute.
  let t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  while (t.getUTCFullYear() <= YEAR.max) {
    const [year, month, day, hour, minute] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()];
    if (!cron.years[year]) t = new Date(Date.UTC(year + 1, 0, 1));
    else if (!cron.months[month]) t = new Date(Date.UTC(year, month, 1));
    else if (!cron.dayMatches(year, month, day)) t = new Date(Date.UTC(year, month - 1, day + 1));
    else if (!cron.hours[hour]) t = new Date(Date.UTC(year, month - 1, day, hour + 1));
    else if (!cron.minutes[minute]) t = new Date(Date.UTC(year, month - 1, day, hour, minute + 1));
    else return t;
  }
  return undefined;
}

/** `*`, `a`, `a-b`, `*\/s`, `a/s`, `a-b/s`, comma-separated, into a lookup table indexed by value. */
function parseSet(field: string, spec: FieldSpec, fail: (reason: string) => Error): boolean[] {
  const selected: boolean[] = [];
  for (const item of field.split(",")) {
    const [range, stepText, extra] = item.split("/");
    if (extra !== undefined || range === undefined || range === "") throw fail(`${spec.name} item "${item}" is not a value, range or step`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw fail(`${spec.name} step "${stepText}" must be a positive integer`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [spec.min, spec.max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-");
      [from, to] = [valueOf(a ?? "", spec, fail), valueOf(b ?? "", spec, fail)];
      if (from > to) throw fail(`${spec.name} range "${range}" runs backwards`);
    } else {
      from = valueOf(range, spec, fail);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) selected[v] = true;
  }
  return selected;
}

function valueOf(text: string, spec: FieldSpec, fail: (reason: string) => Error): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= spec.min && value <= spec.max)) throw fail(`${spec.name} value "${text}" is outside ${spec.min}-${spec.max}`);
  return value;
}

function parseDayOfMonth(field: string, fail: (reason: string) => Error): DayMatcher {
  if (field === "L") return (y, m, d) => d === daysIn(y, m);
  if (field === "LW") return (y, m, d) => d === lastWeekday(y, m);
  const nearest = /^(\d+)W$/.exec(field);
  if (nearest) {
    const target = valueOf(nearest[1]!, DAY_OF_MONTH, fail);
    return (y, m, d) => d === nearestWeekday(y, m, target);
  }
  const days = parseSet(field, DAY_OF_MONTH, fail);
  return (_y, _m, d) => days[d] === true;
}

function parseDayOfWeek(field: string, fail: (reason: string) => Error): DayMatcher {
  const last = /^(\w+)?L$/.exec(field);
  if (last) {
    // A bare `L` means the last day of the week, Saturday.
    const weekday = last[1] === undefined ? DAY_OF_WEEK.max : valueOf(last[1], DAY_OF_WEEK, fail);
    return (y, m, d) => weekdayOf(y, m, d) === weekday && d + 7 > daysIn(y, m);
  }
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth) {
    const weekday = valueOf(nth[1]!, DAY_OF_WEEK, fail);
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw fail(`day-of-week "${field}": the occurrence after # must be 1-5`);
    return (y, m, d) => weekdayOf(y, m, d) === weekday && Math.ceil(d / 7) === k;
  }
  const weekdays = parseSet(field, DAY_OF_WEEK, fail);
  return (y, m, d) => weekdays[weekdayOf(y, m, d)] === true;
}

/** 1 = Sunday … 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function lastWeekday(year: number, month: number): number {
  let day = daysIn(year, month);
  while (!isWeekday(year, month, day)) day--;
  return day;
}

/** Quartz's `nW`: the weekday nearest day n, without crossing into another month. */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = daysIn(year, month);
  const day = Math.min(target, last);
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  return weekday !== 1 && weekday !== 7;
}
