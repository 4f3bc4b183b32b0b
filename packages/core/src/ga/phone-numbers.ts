/**
 * Finding phone numbers in free text and URLs without flagging the long numbers analytics is full of (order
 * numbers, GA client ids `123456789.1700000000`, epoch timestamps, prices, dates, barcodes such as
 * `KIT-0042-7781`). A digit run only counts as a phone number when its shape says so:
 * - international: `+` (or `00` with at least one separator) and 8–15 digits (E.164 allows at most 15);
 * - national with a trunk `0`: `020 7946 0958`, `06 12 34 56 78`, `(030) 1234567` — 9–12 digits in ≥ 2 groups;
 * - North American: `(415) 555-2671`, `415.555.2671`, `1-415-555-2671` (area and exchange start with 2–9).
 * Bare digit runs without `+` are never phone numbers here (they are ids far more often); the key rules in
 * `pii-spans.ts` (`phone=…`, `tel:…`) catch those. Works on text already percent-decoded (see `pii-spans.ts`).
 */

export type Span = readonly [start: number, end: number];

/**
 * Digit groups separated by one or two spaces, or one dot, hyphen or slash; parentheses allowed around a
 * short group (`(0)20`, `(415) 555`).
 */
const CANDIDATE = /(?<![\w.,\-+/])(?:\+|00(?=[1-9]))?(?:\(\d{1,5}\)|\d+)(?:(?:[ \t\u00a0]{1,2}|[.\-/])?\(\d{1,5}\)|(?:[ \t\u00a0]{1,2}|[.\-/])\d+|(?<=\))\d+)*/g;
const GROUP = /\(?(\d+)\)?/g;
/** The most groups a phone number is written in (`+33 1 23 45 67 89` has 6). */
const MAX_GROUPS = 8;

interface Group {
  digits: string;
  /** Position among the candidate's groups. */
  index: number;
  /** Start offset within the candidate, opening parenthesis included. */
  start: number;
  /** End offset within the candidate, closing parenthesis included. */
  end: number;
  /** The separator before this group ("" for the first or after a parenthesis). */
  separator: string;
}

/**
 * Spans of phone numbers in `text` (already percent-decoded).
 *
 * @example findPhoneNumbers("call +44 20 7946 0958 today") // [[5, 21]]
 * @example findPhoneNumbers("order 100234567, client 123456789.1700000000") // []
 */
export function findPhoneNumbers(text: string): Span[] {
  const spans: Span[] = [];
  // `(+44) 20 7946 0958`: read the bracketed country code as `+44` (same length, so offsets stay put).
  const flat = text.replace(/\(\+(\d{1,4})\)/g, " +$1 ");
  for (const match of flat.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = match[0];
    const prefix = candidate.startsWith("+") ? "+" : /^00[1-9]/.test(candidate) ? "00" : "";
    const groups = groupsOf(candidate.slice(prefix.length), prefix.length);
    // A number glued to what follows (`12:30`, `3.5`, `1234abc`) is not the end of a phone number: drop its last group.
    const next = flat.slice(start + candidate.length, start + candidate.length + 2);
    const usable = /^([\w:]|[.,]\d)/.test(next) ? groups.slice(0, -1) : groups;
    // A phone number may follow other numbers after a space (`qty 2 020 7946 0958`, `2026-11-21 020 7946 0958`):
    // try each space-separated start, skipping dates. At most MAX_GROUPS groups per try keeps this linear.
    for (let first = 0; first < usable.length; ) {
      if (looksLikeDate(usable.slice(first, first + 3))) {
        first += 3;
        continue;
      }
      const found = first === 0 || usable[first]!.separator === " " ? longestPhone(first === 0 ? prefix : "", usable.slice(first, first + MAX_GROUPS)) : undefined;
      if (!found) {
        first += 1;
        continue;
      }
      const from = start + (first === 0 ? 0 : found.start);
      const bracketed = text[from] === "+" && text[from - 1] === "(";
      spans.push([bracketed ? from - 1 : from, start + found.end]);
      first = found.last + 1;
    }
  }
  return spans;
}

/** The longest run of leading groups that has a phone number's shape (a trailing group may belong to something else). */
function longestPhone(prefix: string, groups: Group[]): { start: number; end: number; last: number } | undefined {
  for (let count = groups.length; count > 0; count--) {
    const run = groups.slice(0, count);
    if (isPhoneShape(prefix, run)) return { start: run[0]!.start, end: run[count - 1]!.end, last: run[count - 1]!.index };
  }
  return undefined;
}

function groupsOf(body: string, offset: number): Group[] {
  const groups: Group[] = [];
  let previousEnd = 0;
  for (const m of body.matchAll(GROUP)) {
    const between = body.slice(previousEnd, m.index);
    previousEnd = m.index + m[0].length;
    groups.push({ digits: m[1]!, index: groups.length, start: offset + m.index, end: offset + previousEnd, separator: between.trim() || (between ? " " : "") });
  }
  return groups;
}

function isPhoneShape(prefix: string, groups: Group[]): boolean {
  const digits = groups.map((g) => g.digits).join("");
  if (prefix === "+") return digits.length >= 8 && digits.length <= 15;
  if (prefix === "00") return groups.length >= 2 && digits.length >= 8 && digits.length <= 15;
  const first = groups[0]!.digits;
  if (/^0[1-9]\d{0,3}$/.test(first)) {
    return groups.length >= 2 && groups.slice(1).every((g) => g.digits.length >= 2) && digits.length >= 9 && digits.length <= 12;
  }
  return isNorthAmerican(groups);
}

function isNorthAmerican(groups: Group[]): boolean {
  const rest = groups.length === 4 && groups[0]!.digits === "1" ? groups.slice(1) : groups;
  if (rest.length !== 3) return false;
  const [area, exchange, line] = rest.map((g) => g.digits) as [string, string, string];
  return /^[2-9]\d\d$/.test(area) && /^[2-9]\d\d$/.test(exchange) && /^\d{4}$/.test(line);
}

/** `01.02.2026`, `2026-01-02`, `1/2/2026`: day, month and year with one separator. */
function looksLikeDate(groups: Group[]): boolean {
  if (groups.length < 3) return false;
  const [a, b, c] = groups as [Group, Group, Group];
  if (b.separator === "" || b.separator !== c.separator) return false;
  const year = (g: Group) => g.digits.length === 4 && Number(g.digits) >= 1900 && Number(g.digits) <= 2199;
  const small = (g: Group, max: number) => g.digits.length <= 2 && Number(g.digits) >= 1 && Number(g.digits) <= max;
  return (year(a) && small(b, 12) && small(c, 31)) || (small(a, 31) && small(b, 31) && year(c));
}
