/**
 * The CSV side of the DuckDB path: one pass over a file's UTF-8 bytes that finds its records exactly as
 * `CsvSplitter` does (the rules are documented there), numbers them as `readRows` does, and re-writes each as
 * one line of a staged CSV that DuckDB can read in parallel with no room for a different reading:
 *
 *     <row number><delimiter><raw record, quoted, only when it held a quote or a lone CR><delimiter><record>\n
 *
 * Records that cannot be rows — malformed quoting, or a field count other than the header's — are refused here,
 * with the same reasons as the streaming path, and never reach DuckDB. So DuckDB only ever sees well-formed
 * records of the right width: its own leniencies (a trailing delimiter read as no field, a quote inside an
 * unquoted field) cannot change what lands. Records with a quote are re-quoted the RFC 4180 way (a quote inside an
 * unquoted field, `5" tall`, becomes `"5"" tall"`), which reads back to the same values.
 *
 * Most lines hold no quote and no CR: for those, the pass is a native `indexOf` for the line end and one loop that
 * copies the line while counting its delimiters. Lines with a quote take the state machine (`csv-record-bytes.ts`).
 */
import { scanRecord, type FieldSpan, type ScannedRecord } from "./csv-record-bytes";
import { UnreadableContentError } from "./errors";
import { normaliseHeader } from "./header";

export interface CsvScanDialect {
  delimiter: string;
  quote: string;
  header: boolean;
  /** A record longer than this many bytes fails the file (an unclosed quote would otherwise buffer the rest of it). */
  maxRecordBytes: number;
}

/** A record refused before DuckDB: its row number, the streaming path's reason, and its raw text. */
export interface RefusedRow {
  rowNumber: number;
  reason: string;
  raw: string;
}

/** Staged lines: whole lines, how many, and whether the last one completes a multiple of `rowBoundary` staged rows. */
export interface StagedBytes {
  bytes: Buffer;
  rows: number;
  atRowBoundary: boolean;
}

export interface ScanOutput {
  /** Staged CSV bytes to append, in order. */
  staged: StagedBytes[];
  refused: RefusedRow[];
}

export interface CsvScanOptions {
  /** The feed's declared columns: the columns of a file without a header row. */
  columns: readonly string[];
  /** Staged bytes are handed over in pieces that end after every this many staged rows (so pieces can be cut there). */
  rowBoundary?: number;
  /** Called with the header's names (trimmed) before any row; throw to refuse the file. */
  onColumns?: (names: string[]) => void;
}

const LF = 10;
const CR = 13;
const OUT_BYTES = 1 << 20;

/**
 * @example
 * const scanner = new CsvRecordScanner({ delimiter: ",", quote: '"', header: true, maxRecordBytes: 1 << 23 }, { columns });
 * const { refused } = scanner.push(Buffer.from('a,b\n1,"x\ny"\n2\n')); // [{ rowNumber: 2, reason: "row has 1 field; the header has 2", raw: "2" }]
 * const { staged } = scanner.end(); // [{ bytes: '1,"1,""x\ny""",1,"x\ny"\n', rows: 1, atRowBoundary: false }]
 */
export class CsvRecordScanner {
  /** Data rows numbered so far: staged and refused. */
  rows = 0;
  /** The longest staged line, in bytes (DuckDB's `max_line_size` must be at least this). */
  longestLine = 0;
  /** Column names of the file, in file order, once known. */
  names: string[] | undefined;
  private carry: Buffer | undefined;
  /** The delimiter's bytes and the quote's byte (the scanner is its own `CsvByteSyntax`). */
  readonly delimiter: Buffer;
  private readonly d0: number;
  readonly quote: number;
  private readonly against: string;
  private out: Buffer = Buffer.allocUnsafe(OUT_BYTES);
  /** `out` as a plain Uint8Array, for the byte loop. */
  private outBytes = asBytes(this.out);
  private o = 0;
  private output: ScanOutput = { staged: [], refused: [] };
  /** Rows written to `out` and not handed over yet. */
  private pendingRows = 0;
  /** Rows staged so far (handed over or not). */
  private stagedRows = 0;

  constructor(
    private readonly dialect: CsvScanDialect,
    private readonly options: CsvScanOptions,
  ) {
    this.delimiter = Buffer.from(dialect.delimiter, "utf8");
    this.d0 = this.delimiter[0]!;
    this.quote = dialect.quote.charCodeAt(0);
    if (this.delimiter.length === 0 || dialect.quote.length !== 1 || this.quote > 0x7f) {
      throw new RangeError(`files: the CSV scanner needs a delimiter and a one-character ASCII quote, got ${JSON.stringify(dialect)}`);
    }
    this.against = dialect.header ? "the header has" : "the feed declares";
    if (!dialect.header) this.names = [...options.columns];
  }

  /** Feeds more bytes (UTF-8, split anywhere); returns what they completed. */
  push(chunk: Buffer): ScanOutput {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const consumed = this.scan(buf, false);
    if (consumed < buf.length) {
      if (buf.length - consumed > this.dialect.maxRecordBytes) {
        const start = buf.subarray(consumed, consumed + 60).toString("utf8");
        throw new UnreadableContentError(
          `a row is longer than ${this.dialect.maxRecordBytes} characters (it starts ${JSON.stringify(start)}); an unclosed quote does this`,
        );
      }
      // A copy: a slice would keep the whole chunk alive until the record completes.
      this.carry = Buffer.from(buf.subarray(consumed));
    }
    return this.takeOutput();
  }

  /** No more bytes: the last record, if any. */
  end(): ScanOutput {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    this.scan(buf, true);
    return this.takeOutput(true);
  }

  /**
   * Hands over the staged bytes once there is a good amount of them (or at the end): small pushes (a gunzip
   * chunk can be 16 KiB) would otherwise each cost a fresh output buffer.
   */
  private takeOutput(final = false): ScanOutput {
    if (this.o > 0 && (final || this.o >= OUT_BYTES / 2)) this.handOver(Buffer.allocUnsafe(OUT_BYTES));
    const output = this.output;
    this.output = { staged: [], refused: [] };
    return output;
  }

  /** Moves what `out` holds to the output, and continues in `next`. */
  private handOver(next: Buffer, atRowBoundary = false): void {
    if (this.o > 0) this.output.staged.push({ bytes: this.out.subarray(0, this.o), rows: this.pendingRows, atRowBoundary });
    this.pendingRows = 0;
    this.out = next;
    this.outBytes = asBytes(next);
    this.o = 0;
  }

  /** Scans whole records from 0; returns how many bytes were consumed. */
  private scan(buf: Buffer, eof: boolean): number {
    const n = buf.length;
    const { quote } = this;
    let i = 0;
    let nextQuote = indexOrEnd(buf, quote, 0);
    let nextCr = indexOrEnd(buf, CR, 0);
    // Plain Uint8Array views for the byte loop: V8 indexes them faster than Buffer, a subclass.
    const bytes = asBytes(buf);
    while (i < n) {
      const lf = buf.indexOf(LF, i);
      const lineEnd = lf < 0 ? n : lf > i && buf[lf - 1] === CR ? lf - 1 : lf;
      if (lf >= 0 && nextQuote >= lf && nextCr >= lineEnd) {
        // The common line: no quote, no lone CR, so its fields are the bytes between delimiters.
        if (lineEnd > i) this.fastRecord(buf, bytes, i, lineEnd);
        i = lf + 1;
      } else {
        const record = scanRecord(buf, i, eof, this);
        if (!record) break;
        if (record.fields) this.record(buf, i, record);
        i = record.next;
      }
      if (nextQuote < i) nextQuote = indexOrEnd(buf, quote, i);
      if (nextCr < i) nextCr = indexOrEnd(buf, CR, i);
    }
    return i;
  }

  private fastRecord(buf: Buffer, bytes: Uint8Array, start: number, end: number): void {
    if (!this.names) {
      const spans = splitPlain(buf, start, end, this.delimiter);
      this.header(buf, spans);
      return;
    }
    this.rows += 1;
    const { delimiter } = this;
    const d0 = this.d0;
    const length = digitCount(this.rows) + 2 * delimiter.length + (end - start) + 1;
    this.reserve(length);
    const lineStart = this.o;
    this.writeRowNumber(this.rows);
    this.writeDelimiter();
    this.writeDelimiter();
    // Copied byte by byte while counting delimiters: lines are short, and one loop beats a native call per field
    // plus one per line (Buffer#copy costs ~100 ns a call on Node 20, about a line's worth of this loop).
    const out = this.outBytes;
    let o = this.o;
    let fields = 1;
    for (let k = start; k < end; k++) {
      const c = bytes[k]!;
      out[o++] = c;
      if (c === d0) fields += 1;
    }
    if (delimiter.length > 1 && fields > 1) fields = splitPlain(buf, start, end, delimiter).length;
    if (fields !== this.names.length) {
      // Refused: the staged bytes are taken back.
      this.o = lineStart;
      this.refuse(this.fieldCountReason(fields), buf, start, end);
      return;
    }
    out[o++] = LF;
    this.o = o;
    if (length > this.longestLine) this.longestLine = length;
    this.staged();
  }

  private record(buf: Buffer, start: number, record: ScannedRecord): void {
    const fields = record.fields!;
    if (!this.names) {
      if (record.problem) throw new UnreadableContentError(`the header row cannot be read: ${record.problem}`);
      this.header(buf, fields);
      return;
    }
    this.rows += 1;
    if (record.problem) {
      this.refuse(`malformed CSV: ${record.problem}`, buf, start, record.rawEnd);
      return;
    }
    if (fields.length !== this.names.length) {
      this.refuse(this.fieldCountReason(fields.length), buf, start, record.rawEnd);
      return;
    }
    // Worst case: every byte a quote, doubled, in the raw field and in the record.
    const raw = record.rawEnd - start;
    this.reserve(digitCount(this.rows) + 2 * this.delimiter.length + 4 * raw + 2 * fields.length + fields.length * this.delimiter.length + 3);
    const lineStart = this.o;
    this.writeRowNumber(this.rows);
    this.writeDelimiter();
    this.writeQuoted(buf, start, record.rawEnd);
    for (const field of fields) {
      this.writeDelimiter();
      if (field.quoted) {
        // Between its quotes a quoted field holds only doubled quotes: it is already in the staged form.
        this.out[this.o++] = this.quote;
        this.o += buf.copy(this.out, this.o, field.start, field.end);
        this.out[this.o++] = this.quote;
      } else if (hasByte(buf, this.quote, field.start, field.end)) {
        this.writeQuoted(buf, field.start, field.end);
      } else {
        this.o += buf.copy(this.out, this.o, field.start, field.end);
      }
    }
    this.out[this.o++] = LF;
    if (this.o - lineStart > this.longestLine) this.longestLine = this.o - lineStart;
    this.staged();
  }

  /** Counts a staged line; at a row boundary, hands over what is staged so a piece can end there. */
  private staged(): void {
    this.pendingRows += 1;
    this.stagedRows += 1;
    const boundary = this.options.rowBoundary;
    if (boundary !== undefined && this.stagedRows % boundary === 0) this.handOver(Buffer.allocUnsafe(OUT_BYTES), true);
  }

  private header(buf: Buffer, fields: FieldSpan[]): void {
    const values = fields.map((f) => {
      const text = buf.toString("utf8", f.start, f.end);
      return f.quoted ? text.replaceAll(this.dialect.quote + this.dialect.quote, this.dialect.quote) : text;
    });
    this.names = normaliseHeader(values);
    this.options.onColumns?.(this.names);
  }

  private fieldCountReason(fields: number): string {
    return `row has ${fields === 1 ? "1 field" : `${fields} fields`}; ${this.against} ${this.names!.length}`;
  }

  private refuse(reason: string, buf: Buffer, start: number, end: number): void {
    this.output.refused.push({ rowNumber: this.rows, reason, raw: buf.toString("utf8", start, end) });
  }

  private reserve(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    this.handOver(Buffer.allocUnsafe(Math.max(OUT_BYTES, bytes)));
  }

  private writeDelimiter(): void {
    if (this.delimiter.length === 1) this.out[this.o++] = this.d0;
    else this.o += this.delimiter.copy(this.out, this.o);
  }

  private writeRowNumber(row: number): void {
    const digits = digitCount(row);
    for (let k = digits - 1, rest = row; k >= 0; k--, rest = Math.floor(rest / 10)) this.out[this.o + k] = 48 + (rest % 10);
    this.o += digits;
  }

  /** `"…"` around the bytes, each quote in them doubled. */
  private writeQuoted(buf: Buffer, start: number, end: number): void {
    const { quote } = this;
    this.out[this.o++] = quote;
    for (let at = start; at < end; ) {
      const next = buf.indexOf(quote, at);
      if (next < 0 || next >= end) {
        this.o += buf.copy(this.out, this.o, at, end);
        break;
      }
      this.o += buf.copy(this.out, this.o, at, next + 1);
      this.out[this.o++] = quote;
      at = next + 1;
    }
    this.out[this.o++] = quote;
  }
}

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

function indexOrEnd(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? buf.length : at;
}

function hasByte(buf: Buffer, byte: number, start: number, end: number): boolean {
  const at = buf.indexOf(byte, start);
  return at >= 0 && at < end;
}

function digitCount(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  return digits;
}

/** Field spans of a line with no quote in it. */
function splitPlain(buf: Buffer, start: number, end: number, delimiter: Buffer): FieldSpan[] {
  const spans: FieldSpan[] = [];
  let from = start;
  for (let at = buf.indexOf(delimiter, start); at >= 0 && at + delimiter.length <= end; at = buf.indexOf(delimiter, from)) {
    spans.push({ start: from, end: at, quoted: false });
    from = at + delimiter.length;
  }
  spans.push({ start: from, end, quoted: false });
  return spans;
}
