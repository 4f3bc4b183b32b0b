import { describe, expect, it } from "vitest";
import { findPhoneNumbers } from "@tributary/core/ga";

const found = (text: string) => findPhoneNumbers(text).map(([start, end]) => text.slice(start, end));

describe("findPhoneNumbers", () => {
  it.each([
    ["call +44 20 7946 0958 today", ["+44 20 7946 0958"]],
    ["(+44) 20 7946 0958", ["(+44) 20 7946 0958"]],
    ["+44 (0)20 7946 0958", ["+44 (0)20 7946 0958"]],
    // A trailing group that cannot belong to the number is left out, not the whole number.
    ["020 7946 0958 2026", ["020 7946 0958"]],
    ["on 020 7946 0958 12:30", ["020 7946 0958"]],
    // A leading date is skipped and the rest judged on its own.
    ["01.02.2026 06 12 34 56 78", ["06 12 34 56 78"]],
    // A phone number after other numbers and a space is found on its own.
    ["qty 2 020 7946 0958", ["020 7946 0958"]],
    ["415-555-2671 and 030/1234567", ["415-555-2671", "030/1234567"]],
  ])("finds the numbers in %j", (text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it.each([
    "order 100234567, client 123456789.1700000000",
    "2026-01-02 12:30:45",
    "KIT-0042-7781",
    "+1234567",
    "0 12 34 56 78",
    "00 44 12",
    "123-456-7890",
  ])("finds none in %j", (text) => {
    expect(findPhoneNumbers(text)).toEqual([]);
  });
});
