/**
 * `CsvSplitter`'s state machine over UTF-8 bytes, one record at a time: the part of `CsvRecordScanner` that reads
 * records holding a quote or a lone CR (the other lines take its fast path). Its rules are `CsvSplitter`'s (see
 * there); `csv-record-scanner.test.ts` checks the two agree on random files cut at random bytes. Delimiter, quote,
 * CR and LF are ASCII, so they never occur inside a multi-byte character and bytes can be scanned as they are.
 */

/** A field's bytes: `[start, end)`, between its quotes when `quoted` (doubled quotes still doubled). */
export interface FieldSpan {
  start: number;
  end: number;
  quoted: boolean;
}

/** What the state machine found at `start`: a record, or a blank line (`fields` undefined). */
export interface ScannedRecord {
  fields: FieldSpan[] | undefined;
  problem?: string;
  /** Where the record's raw text ends (its terminator excluded). */
  rawEnd: number;
  /** Where the next record starts. */
  next: number;
}

export interface CsvByteSyntax {
  delimiter: Buffer;
  /** The quote's byte (ASCII). */
  quote: number;
}

const LF = 10;
const CR = 13;

/**
 * Reads one record from its start: its field spans, its problem, where its raw text ends and where the next
 * record starts — or undefined when the bytes end before the record does (more are needed).
 *
 * @example scanRecord(Buffer.from('1,"a\nb"\n2'), 0, false, { delimiter: Buffer.from(","), quote: 34 }) // { fields: [1, "a\nb"], rawEnd: 8, next: 9 }
 */
export function scanRecord(buf: Buffer, start: number, eof: boolean, syntax: CsvByteSyntax): ScannedRecord | undefined {
  const n = buf.length;
  const { quote, delimiter } = syntax;
  const d0 = delimiter[0]!;
  const fields: FieldSpan[] = [];
  let problem: string | undefined;
  let i = start;
  let fieldStart = start;
  let state = FIELD_START;
  while (true) {
    if (state === FIELD_START) {
      if (i >= n) {
        if (!eof) return undefined;
        // "a,b," ends with an empty field; an empty remainder is no record at all.
        if (fields.length === 0 && i === start) return { fields: undefined, rawEnd: n, next: n };
        fields.push({ start: i, end: i, quoted: false });
        return finished(fields, problem, start, i, 0);
      }
      if (buf[i] === quote) {
        state = QUOTED;
        fieldStart = i + 1;
        i += 1;
      } else {
        state = UNQUOTED;
        fieldStart = i;
      }
    } else if (state === UNQUOTED || state === BAD_REST) {
      const inBadRest = state === BAD_REST;
      let found = NEED_MORE;
      for (; i < n; i++) {
        const c = buf[i];
        if (c !== LF && c !== CR && (inBadRest || c !== d0)) continue;
        found = boundary(buf, i, eof, delimiter);
        if (found === NEED_MORE) return undefined;
        if (found === OTHER || (inBadRest && found === DELIMITER)) continue;
        break;
      }
      if (i >= n) {
        if (!eof) return undefined;
        found = RECORD_END;
      }
      if (!inBadRest) fields.push({ start: fieldStart, end: i, quoted: false });
      if (found === DELIMITER) {
        i += delimiter.length;
        state = FIELD_START;
        continue;
      }
      return finished(fields, problem, start, i, found - RECORD_END);
    } else if (state === QUOTED) {
      const close = buf.indexOf(quote, i);
      if (close < 0 || (close + 1 >= n && !eof)) {
        if (!eof) return undefined;
        problem = `the quote opening field ${fields.length + 1} is never closed, so the rest of the file is this one row`;
        return finished(fields, problem, start, n, 0);
      }
      if (close + 1 < n && buf[close + 1] === quote) {
        i = close + 2;
        continue;
      }
      fields.push({ start: fieldStart, end: close, quoted: true });
      state = AFTER_QUOTE;
      i = close + 1;
    } else {
      const found = boundary(buf, i, eof, delimiter);
      if (found === NEED_MORE) return undefined;
      if (found === OTHER) {
        fields.pop();
        problem = `unexpected ${JSON.stringify(firstCodeUnitAt(buf, i))} after the closing quote of field ${fields.length + 1}`;
        state = BAD_REST;
        continue;
      }
      if (found === DELIMITER) {
        i += delimiter.length;
        state = FIELD_START;
        continue;
      }
      return finished(fields, problem, start, i, found - RECORD_END);
    }
  }
}

/** What ends a field at `at`: a delimiter, a record end (`RECORD_END` + the terminator's length), other, or NEED_MORE. */
function boundary(buf: Buffer, at: number, eof: boolean, delimiter: Buffer): number {
  const n = buf.length;
  if (at >= n) return eof ? RECORD_END : NEED_MORE;
  const c = buf[at];
  if (c === LF) return RECORD_END + 1;
  if (c === CR) {
    if (at + 1 >= n && !eof) return NEED_MORE;
    return RECORD_END + (buf[at + 1] === LF ? 2 : 1);
  }
  if (c === delimiter[0]) {
    const length = delimiter.length;
    if (length === 1) return DELIMITER;
    if (at + length <= n) return buf.compare(delimiter, 0, length, at, at + length) === 0 ? DELIMITER : OTHER;
    // A multi-character delimiter cut by the end of the bytes: more are needed to tell.
    if (!eof && buf.compare(delimiter, 0, n - at, at, n) === 0) return NEED_MORE;
  }
  return OTHER;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;
const BAD_REST = 4;
const NEED_MORE = -1;
const OTHER = 0;
const DELIMITER = 1;
/** A record ends here; the code's excess over this is the terminator's length (0 at the end of the file, 1, or 2 for CRLF). */
const RECORD_END = 10;

function finished(fields: FieldSpan[], problem: string | undefined, start: number, termAt: number, termLength: number): ScannedRecord {
  const blank = fields.length === 1 && termAt === start && problem === undefined;
  return { fields: blank ? undefined : fields, ...(problem === undefined ? {} : { problem }), rawEnd: termAt, next: termAt + termLength };
}

/** The UTF-16 code unit a JS string would hold at this byte: what `CsvSplitter` names in its problem. */
function firstCodeUnitAt(buf: Buffer, at: number): string {
  const lead = buf[at]!;
  const length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  const char = buf.toString("utf8", at, Math.min(buf.length, at + length));
  return String.fromCharCode(char.charCodeAt(0));
}
