/**
 * Where the emails and phone numbers are in a string — plain text, a URL, or a query string. Detection runs
 * on a percent-decoded "shadow" of the value (`%40` → `@`, `%2540` → `@`, `%20` → space and, when looking for
 * phone numbers, `+` between letters or digits → space as in form encoding) whose characters map back to the
 * original, so the original encoding is kept everywhere except in the spans replaced.
 */
import { findPhoneNumbers, type Span } from "./phone-numbers";

export type { Span } from "./phone-numbers";

interface Shadow {
  text: string;
  /** For each shadow character, where it starts and ends in the original value. */
  starts: number[];
  ends: number[];
}

/**
 * A local part, `@`, then a domain with a top-level label of letters. The lookbehind makes a match start only
 * where a local part can start, which keeps the scan linear on long runs of letters and digits.
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-])/g;
/** `logo@2x.png` is an image name, not an address: no real top-level domain is a file extension. */
const FILE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "css", "js", "json", "html", "pdf"]);
/** `tel:`, `sms:` and `callto:` links carry a phone number whatever its shape. */
const PHONE_URI = /\b(?:tel|sms|callto):([^\s&#"'<>]+)/gi;
/** `key=value` pairs of a query string or form body. */
const QUERY_PAIR = /(?:^|[?&;#\s])([A-Za-z0-9_.\-[\]]+)=([^&#\s]*)/g;
/** Words of a query key that say its value is a phone number (`phone`, `contactPhone`, `mobile_number`, `tel`). */
const PHONE_KEY_WORDS = new Set(["phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell", "cellphone", "fax", "msisdn", "whatsapp"]);

/**
 * Spans (in the original string) holding an email address or a phone number, merged and sorted.
 *
 * @example findPii("https://x.test/?email=ann%40example.com&page=2") // [[22, 39]]
 */
export function findPii(value: string): Span[] {
  // No `@` (an email), no `%` (an encoded one) and fewer digits than any phone number has: nothing to find. This
  // is the common case (ids, short numbers, plain URLs), and it skips building the shadows.
  if (!value.includes("@") && !value.includes("%") && !hasDigits(value, FEWEST_PHONE_DIGITS)) return [];
  // `+` stays `+` for emails (`ann+tag@example.com` is one address) but reads as a space for phone numbers.
  const literal = shadowOf(value, false);
  const spaced = shadowOf(value, true);
  const back = (shadow: Shadow) => ([s, e]: Span): Span => [shadow.starts[s]!, shadow.ends[e - 1]!];
  return merge([
    ...findEmails(literal.text).map(back(literal)),
    ...[...findPhoneNumbers(spaced.text), ...findPhonesByContext(spaced.text)].map(back(spaced)),
  ]);
}

function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  if (!text.includes("@")) return spans;
  for (const m of text.matchAll(EMAIL)) {
    if (!FILE_EXTENSIONS.has(m[1]!.toLowerCase())) spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/**
 * The fewest digits anything here takes for a phone number: a `tel:` link or a `phone=` value (written any
 * way) needs 6; the shapes of `findPhoneNumbers` need 8 or more.
 */
const FEWEST_PHONE_DIGITS = 6;

/** Whether `text` holds at least `count` digits, counting no further than that. */
function hasDigits(text: string, count: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length && found < count; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) found++;
  }
  return found >= count;
}

function findPhonesByContext(text: string): Span[] {
  const spans: Span[] = [];
  const hasEnoughDigits = (v: string) => hasDigits(v, FEWEST_PHONE_DIGITS);
  // Both rules need their punctuation (`tel:`, `key=value`): most values have neither.
  if (!text.includes(":") && !text.includes("=")) return spans;
  for (const m of text.matchAll(PHONE_URI)) {
    if (hasEnoughDigits(m[1]!)) spans.push([m.index + m[0].length - m[1]!.length, m.index + m[0].length]);
  }
  for (const m of text.matchAll(QUERY_PAIR)) {
    const [whole, key, value] = m as unknown as [string, string, string];
    if (value !== "" && isPhoneKey(key) && hasEnoughDigits(value)) spans.push([m.index + whole.length - value.length, m.index + whole.length]);
  }
  return spans;
}

function isPhoneKey(key: string): boolean {
  const words = key.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/).map((w) => w.toLowerCase());
  return words.some((w) => PHONE_KEY_WORDS.has(w)) || PHONE_KEY_WORDS.has(key.replace(/[^A-Za-z]/g, "").toLowerCase());
}

const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * The identity mapping, shared: shadows of values with nothing to decode map each character to itself. Grown
 * on demand up to `IDENTITY_MAX` characters (GA values are far shorter); longer values get their own mapping.
 */
const IDENTITY_MAX = 8192;
const IDENTITY: { starts: number[]; ends: number[] } = { starts: [], ends: [] };

function identityShadow(value: string): Shadow {
  for (let i = IDENTITY.starts.length; i <= value.length; i++) {
    IDENTITY.starts.push(i);
    IDENTITY.ends.push(i + 1);
  }
  return { text: value, starts: IDENTITY.starts, ends: IDENTITY.ends };
}

function shadowOf(value: string, formSpaces: boolean): Shadow {
  // Nothing to decode (no `%`, and no `+` that could read as a space): the shadow is the value itself.
  if (value.length <= IDENTITY_MAX && !value.includes("%") && !(formSpaces && value.includes("+"))) return identityShadow(value);
  const shadow: Shadow = { text: "", starts: [], ends: [] };
  const push = (char: string, start: number, end: number) => {
    shadow.text += char;
    shadow.starts.push(start);
    shadow.ends.push(end);
  };
  let previous = ""; // not `shadow.text.at(-1)`: reading a string while appending to it flattens it every time
  for (let i = 0; i < value.length; ) {
    const char = value[i]!;
    if (char === "%") {
      // `%2540` is `%40` encoded twice (a URL inside a query parameter): decode both layers.
      const twice = value.slice(i + 1, i + 3) === "25" && HEX2.test(value.slice(i + 3, i + 5)) ? value.slice(i + 3, i + 5) : undefined;
      const once = HEX2.test(value.slice(i + 1, i + 3)) ? value.slice(i + 1, i + 3) : undefined;
      const hex = twice ?? once;
      const code = hex === undefined ? 0 : parseInt(hex, 16);
      if (code >= 0x20 && code <= 0x7e) {
        const length = twice ? 5 : 3;
        previous = String.fromCharCode(code);
        push(previous, i, i + length);
        i += length;
        continue;
      }
    }
    const isFormSpace = formSpaces && char === "+" && /[A-Za-z0-9]/.test(previous) && /[A-Za-z0-9%]/.test(value[i + 1] ?? "");
    previous = isFormSpace ? " " : char;
    push(previous, i, i + 1);
    i += 1;
  }
  return shadow;
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}
