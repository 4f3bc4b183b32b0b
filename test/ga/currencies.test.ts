import { describe, expect, it } from "vitest";
import { ISO_4217_CODES, isIso4217Currency } from "@tributary/core/ga";

describe("isIso4217Currency", () => {
  it.each(["EUR", "USD", "GBP", "JPY", "CHF", "XOF", "XCG", "ZWG", "SLE", "VED"])("accepts %s", (code) => {
    expect(isIso4217Currency(code)).toBe(true);
  });

  it.each(["eur", "Eur", "EURO", "€", "", "XXX", "XTS", "XAU", "XDR", "CHE", "USN", "HRK", "ANG", "ZWL", "SLL", "CUC"])("refuses %j", (code) => {
    expect(isIso4217Currency(code)).toBe(false);
  });

  it("ships only three-letter upper-case codes", () => {
    expect([...ISO_4217_CODES].filter((code) => !/^[A-Z]{3}$/.test(code))).toEqual([]);
    expect(ISO_4217_CODES.size).toBeGreaterThan(150);
  });
});
