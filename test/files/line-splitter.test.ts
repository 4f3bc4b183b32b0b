/** JSON Lines are split into lines with bounded memory, wherever the chunks are cut. */
import { describe, expect, it } from "vitest";
import { LineSplitter } from "@tributary/core/files";

describe("LineSplitter", () => {
  it("splits on \\n and \\r\\n wherever the chunks are cut, keeping a last line without a break", () => {
    // Prepare
    const text = '{"a":1}\r\n\n{"a":2}\n{"a":3}';

    // Act
    const results = Array.from({ length: text.length + 1 }, (_, cut) => {
      const lines = new LineSplitter(100);
      return [...lines.push(text.slice(0, cut)), ...lines.push(text.slice(cut)), ...lines.end()];
    });

    // Assess
    for (const lines of results) expect(lines).toEqual(['{"a":1}', "", '{"a":2}', '{"a":3}']);
  });

  it("fails loudly on a line past the bound", () => {
    // Act
    const attempt = () => new LineSplitter(10).push("x".repeat(11));

    // Assess
    expect(attempt).toThrow(/a line is longer than 10 characters/);
  });
});
