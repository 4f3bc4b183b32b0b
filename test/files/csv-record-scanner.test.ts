/**
 * The DuckDB path's CSV scanner must read every file exactly as the streaming path's reader (`readRows`) does:
 * the same rows with the same numbers, values and raw text, and the same refused rows with the same reasons —
 * checked on fixed ugly cases and on random files cut into random byte chunks. The staged lines are read back
 * with `CsvSplitter` (they are plain RFC 4180).
 */
import { describe, expect, it } from "vitest";
import { CsvRecordScanner, CsvSplitter, readRows, UnreadableContentError, type RawRow, type ScanOutput } from "@tributary/core/files";

type Row = { rowNumber: number; values?: (string | null)[]; problem?: string; raw: string };

const NAMES = ["a", "b", "c"];

async function viaReadRows(bytes: Buffer, delimiter: string, header: boolean): Promise<Row[]> {
  async function* source() {
    yield bytes;
  }
  const rows: Row[] = [];
  const format = { type: "csv" as const, delimiter, quote: '"', header, encoding: "utf8" as const };
  for await (const row of readRows(source(), format, { columns: NAMES })) rows.push(fromRawRow(row));
  return rows;
}

function fromRawRow(row: RawRow): Row {
  if ("problem" in row) return { rowNumber: row.rowNumber, problem: row.problem, raw: row.raw };
  return { rowNumber: row.rowNumber, values: NAMES.map((n) => (row.record[n] ?? null) as string | null), raw: row.raw };
}

function viaScanner(bytes: Buffer, delimiter: string, header: boolean, cuts: number[]): Row[] {
  const scanner = new CsvRecordScanner({ delimiter, quote: '"', header, maxRecordBytes: 1 << 20 }, { columns: NAMES });
  const staged: Buffer[] = [];
  const rows: Row[] = [];
  const take = (out: ScanOutput) => {
    staged.push(...out.staged.map((s) => s.bytes));
    for (const r of out.refused) rows.push({ rowNumber: r.rowNumber, problem: r.reason, raw: r.raw });
  };
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    take(scanner.push(bytes.subarray(from, cut)));
    from = cut;
  }
  take(scanner.end());
  const splitter = new CsvSplitter({ delimiter, quote: '"', maxRecordChars: 1 << 20 });
  const lines = [...splitter.push(Buffer.concat(staged).toString("utf8")), ...splitter.end()];
  for (const line of lines) {
    const [rowNumber, rawField, ...values] = line.fields;
    rows.push({
      rowNumber: Number(rowNumber),
      values: values.map((v) => (v === "" ? null : v!)),
      // The raw text is staged only for records that held a quote or a lone CR; the others are their fields joined.
      raw: rawField !== "" ? rawField! : values.join(delimiter),
    });
  }
  return rows.sort((x, y) => x.rowNumber - y.rowNumber);
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("CsvRecordScanner", () => {
  it("reads the ugly cases as readRows does", async () => {
    // Prepare
    const text = [
      "a,b,c",
      '1,"x\r\ny",z',
      "",
      '2,"say ""hi""",5" tall',
      '3,"bad"x,y',
      "4,only",
      "5,too,many,fields,",
      "6,trailing,",
      "   ",
      "7,lone\rcr,z",
      "8,é,😀",
      '9,"open,quote',
    ].join("\r\n");

    // Act
    const expected = await viaReadRows(Buffer.from(text), ",", true);
    const actual = viaScanner(Buffer.from(text), ",", true, []);

    // Assess
    expect(actual).toEqual(expected);
    expect(expected.filter((r) => r.problem).map((r) => r.rowNumber)).toEqual([3, 4, 5, 7, 8, 9, 11]);
  });

  it("gives readRows' rows for random files cut into random chunks, with one- and multi-character delimiters", async () => {
    const next = random(7);
    const pieces = ["a", "bc", "1", " ", '"', '""', "\n", "\r\n", "\r", "é", "😀", ",", ";;"];
    for (let round = 0; round < 300; round++) {
      // Prepare
      const delimiter = round % 3 === 0 ? ";;" : ",";
      const header = round % 4 !== 0;
      let text = header ? ["a", "b", "c"].join(delimiter) + "\n" : "";
      const length = Math.floor(next() * 60);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
      const bytes = Buffer.from(text);
      const cuts = [Math.floor(next() * bytes.length), Math.floor(next() * bytes.length)].sort((x, y) => x - y);

      // Act
      const expected = await viaReadRows(bytes, delimiter, header).catch((error: Error) => error);
      const actual = (() => {
        try {
          return viaScanner(bytes, delimiter, header, cuts);
        } catch (error) {
          return error as Error;
        }
      })();

      // Assess
      expect({ text, actual }).toEqual({ text, actual: expected });
    }
  });

  it("fails the file on a header it cannot read, and on a record past the size bound", () => {
    // Prepare
    const scanner = () => new CsvRecordScanner({ delimiter: ",", quote: '"', header: true, maxRecordBytes: 100 }, { columns: NAMES });

    // Act
    const headerProblem = () => scanner().push(Buffer.from('"a"x,b,c\n1,2,3\n'));
    const tooLong = () => scanner().push(Buffer.from(`a,b,c\n1,"${"x".repeat(200)}`));

    // Assess
    expect(headerProblem).toThrow(new UnreadableContentError('the header row cannot be read: unexpected "x" after the closing quote of field 1'));
    expect(tooLong).toThrow(/a row is longer than 100 characters \(it starts "1,\\"xxx/);
  });

  it("stages rows as numbered lines, with the raw text only for records that need it", () => {
    // Prepare
    const scanner = new CsvRecordScanner({ delimiter: "\t", quote: '"', header: false, maxRecordBytes: 1000 }, { columns: NAMES });

    // Act
    const first = scanner.push(Buffer.from('x\ty\tz\r\n"q"\t5" tall\t'));
    const last = scanner.end();

    // Assess
    expect(Buffer.concat([...first.staged, ...last.staged].map((s) => s.bytes)).toString()).toBe('1\t\tx\ty\tz\n2\t"""q""\t5"" tall\t"\t"q"\t"5"" tall"\t\n');
    expect(scanner.rows).toBe(2);
    expect(scanner.names).toEqual(NAMES);
  });

  it("hands staged lines over in parts that end at every row boundary, so pieces can be cut there", () => {
    // Prepare: 7 rows, one refused (it is not staged, so it does not count towards a boundary)
    const scanner = new CsvRecordScanner({ delimiter: ",", quote: '"', header: false, maxRecordBytes: 1000 }, { columns: NAMES, rowBoundary: 3 });
    const text = ["1,a,b", "2,a,b", "bad", '3,"x\ny",b', "4,a,b", "5,a,b", "6,a,b"].join("\n");

    // Act
    const output = [scanner.push(Buffer.from(text)), scanner.end()];

    // Assess
    const parts = output.flatMap((o) => o.staged).map((s) => ({ rows: s.rows, atRowBoundary: s.atRowBoundary, lines: s.bytes.toString().split(/\n(?=\d+,)/).length }));
    expect(parts).toEqual([
      { rows: 3, atRowBoundary: true, lines: 3 },
      { rows: 3, atRowBoundary: true, lines: 3 },
    ]);
    expect(output.flatMap((o) => o.refused).map((r) => r.rowNumber)).toEqual([3]);
  });
});
