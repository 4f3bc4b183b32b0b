/**
 * The CSV splitter on its own: records and their raw text must not depend on where the text was cut into chunks
 * (a quote, a `""`, a `\r\n` or a multi-character delimiter may straddle two chunks), and a bad record must not
 * swallow the rows after it.
 */
import { describe, expect, it } from "vitest";
import { CsvSplitter, type CsvRecord, UnreadableContentError } from "@tributary/core/files";

const split = (chunks: string[], delimiter = ",", maxRecordChars = 1000): CsvRecord[] => {
  const splitter = new CsvSplitter({ delimiter, quote: '"', maxRecordChars });
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
};

/** Every way of cutting `text` into three chunks. */
const everyCut = (text: string): string[][] => {
  const cuts: string[][] = [];
  for (let i = 0; i <= text.length; i++) for (let j = i; j <= text.length; j++) cuts.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  return cuts;
};

describe("CsvSplitter", () => {
  it("gives the same records however the text is cut into chunks", () => {
    // Prepare
    const text = 'h1,h2\r\n1,"a\r\nb"\r\n2,"x ""q"" y"\r\n\r\n3,"z"\r\n4,"bad"x,y\n5,ok\r6,"open';

    // Act
    const whole = split([text]);
    const cut = everyCut(text).map((chunks) => split(chunks));

    // Assess
    expect(whole).toEqual([
      { fields: ["h1", "h2"], raw: "h1,h2" },
      { fields: ["1", "a\r\nb"], raw: '1,"a\r\nb"' },
      { fields: ["2", 'x "q" y'], raw: '2,"x ""q"" y"' },
      { fields: ["3", "z"], raw: '3,"z"' },
      { fields: ["4"], raw: '4,"bad"x,y', problem: 'unexpected "x" after the closing quote of field 2' },
      { fields: ["5", "ok"], raw: "5,ok" },
      { fields: ["6"], raw: '6,"open', problem: "the quote opening field 2 is never closed, so the rest of the file is this one row" },
    ]);
    for (const records of cut) expect(records).toEqual(whole);
  });

  it("splits on a multi-character delimiter cut across chunks", () => {
    // Prepare
    const text = 'a||b||c\n1||"2||x"||3\r\n4|x||5||';

    // Act
    const cut = everyCut(text).map((chunks) => split(chunks, "||"));

    // Assess
    for (const records of cut) {
      expect(records.map((r) => r.fields)).toEqual([["a", "b", "c"], ["1", "2||x", "3"], ["4|x", "5", ""]]);
    }
  });

  it("keeps a quote inside an unquoted field as text, and skips blank lines", () => {
    // Act
    const records = split(['size,unit\n\n5" screen,in\n\n']);

    // Assess
    expect(records.map((r) => r.fields)).toEqual([["size", "unit"], ['5" screen', "in"]]);
  });

  it("fails loudly instead of buffering a row past the bound", () => {
    // Act
    const attempt = () => split(['a,b\n1,"never closed', "x".repeat(2000)], ",", 1000);

    // Assess
    expect(attempt).toThrow(UnreadableContentError);
    expect(attempt).toThrow(/a row is longer than 1000 characters \(it starts "1,\\"never closed/);
  });
});
