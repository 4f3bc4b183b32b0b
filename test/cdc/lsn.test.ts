/** LSNs are binary(10): normalised to hex, compared byte-wise, never parsed as numbers. */
import { describe, expect, it } from "vitest";
import { compareLsn, counterOfLsn, InvalidLsnError, lsnBytes, lsnOfCounter, maxLsn, toLsn } from "../../packages/core/src/cdc";

describe("lsn", () => {
  it("normalises hex, 0x-prefixed hex and 10-byte buffers to 20 upper-case hex digits", () => {
    expect(toLsn("0x0000002a000001f00003")).toBe("0000002A000001F00003");
    expect(toLsn(Buffer.from("0000002a000001f00003", "hex"))).toBe("0000002A000001F00003");
    expect(lsnBytes("0000002A000001F00003")).toHaveLength(10);
  });

  it("refuses anything that is not 10 bytes", () => {
    expect(() => toLsn("1234")).toThrow(InvalidLsnError);
    expect(() => toLsn(Buffer.alloc(9))).toThrow(/not an LSN/);
    expect(() => toLsn(42)).toThrow(InvalidLsnError);
  });

  it("compares byte-wise, where a number would lose precision", () => {
    // Prepare: two LSNs that differ only past 2^53
    const a = "FFFFFFFFFFFFFFFF0001";
    const b = "FFFFFFFFFFFFFFFF0002";

    // Act / Assess
    expect(Number(`0x${a}`)).toBe(Number(`0x${b}`));
    expect(compareLsn(a, b)).toBeLessThan(0);
    expect(compareLsn(b, a)).toBeGreaterThan(0);
    expect(compareLsn(a, a.toLowerCase())).toBe(0);
    expect(maxLsn(a, b)).toBe(b);
  });

  it("renders counters of the embedded source as LSNs and back", () => {
    expect(lsnOfCounter(255n)).toBe("000000000000000000FF");
    expect(counterOfLsn(lsnOfCounter(123456789012345678901n))).toBe(123456789012345678901n);
    expect(() => lsnOfCounter(1n << 80n)).toThrow(InvalidLsnError);
  });
});
