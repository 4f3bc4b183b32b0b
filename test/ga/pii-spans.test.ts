import { describe, expect, it } from "vitest";
import { findPii } from "@tributary/core/ga";

const found = (value: string) => findPii(value).map(([start, end]) => value.slice(start, end));

describe("findPii", () => {
  it.each([
    // Spans are in the original string, percent-encoding included.
    ["https://x.test/?email=ann%40example.com&page=2", ["ann%40example.com"]],
    ["https://x.test/?next=%2Fok%3Fe%3Dann%2540example.com", ["ann%2540example.com"]],
    ["https://x.test/?phone=%2B44%2020%207946%200958&a=1", ["%2B44%2020%207946%200958"]],
    // `+` is part of an address but a space between the words of a form-encoded value.
    ["ann+news@example.com", ["ann+news@example.com"]],
    ["q=call+020+7946+0958", ["020+7946+0958"]],
    // An email and a phone number overlapping are one span.
    ["+442079460958@sms.example.com", ["+442079460958@sms.example.com"]],
    ["ann@example.com, 020 7946 0958", ["ann@example.com", "020 7946 0958"]],
  ])("finds %j", (value, expected) => {
    expect(found(value)).toEqual(expected);
  });

  it("finds nothing in values without @, % or digits", () => {
    expect(findPii("Activate your kit")).toEqual([]);
  });
});
