/**
 * Exact Decimal128 encoding: a canonical decimal string ("12.30") becomes the unscaled integer (1230) as a
 * 128-bit two's complement number, written as four 32-bit little-endian words (Arrow's Decimal128 layout).
 */
import type { DecimalType } from "../config";

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;
const TWO_32 = 2 ** 32;
const MASK_32 = 0xffffffffn;

/** The unscaled value of `text` at the column's scale, or why it does not fit `decimal(p,s)` exactly. */
export function unscaledDecimal(text: string, { precision, scale }: DecimalType): { digits: string; negative: boolean } | string {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return `expected a decimal string like "12.30", got ${JSON.stringify(text)}`;
  const fraction = m[3] ?? "";
  // Extra fraction digits are accepted only when they are zeros: anything else would need rounding.
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    return `${JSON.stringify(text)} has more than ${scale} decimal places`;
  }
  const digits = (m[2]! + fraction.slice(0, scale).padEnd(scale, "0")).replace(/^0+(?=\d)/, "");
  if (digits.length > precision) return `${JSON.stringify(text)} does not fit decimal(${precision},${scale})`;
  return { digits, negative: m[1] === "-" && /[1-9]/.test(digits) };
}

/**
 * Writes the unscaled value into `words[offset..offset+3]` (least significant word first).
 *
 * @example
 * const words = new Uint32Array(4);
 * writeDecimal128(words, 0, { digits: "1230", negative: true }); // words = [4294966066, 4294967295, 4294967295, 4294967295]
 */
export function writeDecimal128(words: Uint32Array, offset: number, value: { digits: string; negative: boolean }): void {
  if (value.digits.length <= 15) {
    // Fast path: up to 15 digits is exact as a double, so no BigInt is needed.
    const n = value.negative ? -Number(value.digits) : Number(value.digits);
    words[offset] = ((n % TWO_32) + TWO_32) % TWO_32;
    words[offset + 1] = Math.floor(n / TWO_32) >>> 0;
    words[offset + 2] = words[offset + 3] = n < 0 ? 0xffffffff : 0;
    return;
  }
  let u = BigInt.asUintN(128, value.negative ? -BigInt(value.digits) : BigInt(value.digits));
  for (let w = 0; w < 4; w++) {
    words[offset + w] = Number(u & MASK_32);
    u >>= 32n;
  }
}
