import { describe, expect, it } from "vitest";
import { unscaledDecimal, writeDecimal128 } from "@tributary/core/lake";

/** Reference encoding, straight from the definition: the value modulo 2^128, in 32-bit words, low first. */
function referenceWords(unscaled: bigint): number[] {
  let u = BigInt.asUintN(128, unscaled);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    words.push(Number(u & 0xffffffffn));
    u >>= 32n;
  }
  return words;
}

function encode(text: string, precision: number, scale: number): number[] {
  const parsed = unscaledDecimal(text, { precision, scale });
  if (typeof parsed === "string") throw new Error(parsed);
  const words = new Uint32Array(4);
  writeDecimal128(words, 0, parsed);
  return [...words];
}

describe("writeDecimal128", () => {
  it.each([
    ["12.30", 10, 2, 1230n],
    ["-12.30", 10, 2, -1230n],
    ["-0.01", 10, 2, -1n],
    ["-0.00", 10, 2, 0n],
    ["4294967.29", 10, 2, 429496729n],
    ["-42949672.96", 12, 2, -4294967296n],
    ["999999999999999", 15, 0, 999999999999999n], // largest on the Number path
    ["-9999999999999999", 16, 0, -9999999999999999n], // first on the BigInt path
    ["99999999999999999999999999999999999999", 38, 0, 10n ** 38n - 1n],
    ["-9999999999999999999999999999.9999999999", 38, 10, -(10n ** 38n - 1n)],
    ["7", 5, 3, 7000n],
    ["1.500", 5, 1, 15n],
  ])("encodes %s as decimal(%i,%i) = %i unscaled, two's complement", (text, precision, scale, unscaled) => {
    // Act + Assess
    expect(encode(text, precision, scale)).toEqual(referenceWords(unscaled));
  });

  it("agrees with the reference for every magnitude around the fast-path boundary", () => {
    // Prepare
    const values: bigint[] = [];
    for (let digits = 1; digits <= 20; digits++) {
      const n = 10n ** BigInt(digits) - 1n;
      values.push(n, -n, n / 3n, -(n / 7n));
    }

    // Act + Assess
    for (const v of values) expect(encode(String(v), 38, 0)).toEqual(referenceWords(v));
  });
});

describe("unscaledDecimal", () => {
  it.each([
    ["1.234", 5, 2, '"1.234" has more than 2 decimal places'],
    ["1234.5", 5, 2, '"1234.5" does not fit decimal(5,2)'],
    ["1e3", 5, 2, 'expected a decimal string like "12.30", got "1e3"'],
    [" 1.00", 5, 2, 'expected a decimal string like "12.30", got " 1.00"'],
  ])("refuses %j for decimal(%i,%i) without rounding", (text, precision, scale, problem) => {
    // Act + Assess
    expect(unscaledDecimal(text, { precision, scale })).toBe(problem);
  });
});
