/**
 * Splitting CSV text into records, incrementally, with each record's raw text — our own small state machine
 * rather than csv-parse, whose `skip_records_with_error` hands over only the part of a bad record read before
 * the error, keeps quoting after a bad closing quote (swallowing every later row into one "skipped" record),
 * and with `max_record_size` drops the rest of the chunk it was parsing. Here a bad record is one record, with
 * all of its text, and the rows after it are read normally.
 *
 * Rules (RFC 4180, plus what real files do):
 * - records end at `\n`, `\r\n` or a lone `\r`, outside quotes; a quoted field may hold any of them;
 * - a field starting with the quote character is quoted; `""` inside it is one quote;
 * - a quote inside an unquoted field (`5" screen`) is kept as text, as most CSV writers produce it;
 * - after a closing quote only a delimiter or a record end may follow; anything else makes the record a
 *   problem, and the record is read on, as unquoted text, to its end;
 * - a quote never closed makes the rest of the file one problem record (its raw text holds every line);
 * - blank lines are not records.
 * Memory is bounded by the longest record: past `maxRecordChars` the file fails loudly.
 */
import { UnreadableContentError } from "./errors";

export interface CsvDialect {
  delimiter: string;
  quote: string;
  /** A record longer than this fails the file (an unclosed quote would otherwise buffer the rest of it). */
  maxRecordChars: number;
}

export interface CsvRecord {
  fields: string[];
  /** The record's text as it was in the file, without its line ending. */
  raw: string;
  /** Why the record cannot be trusted; its fields are then incomplete. */
  problem?: string;
}

type State = "fieldStart" | "unquoted" | "quoted" | "afterQuote" | "badRest";
const LF = 10;
const CR = 13;

/**
 * @example
 * const splitter = new CsvSplitter({ delimiter: ",", quote: '"', maxRecordChars: 1 << 20 });
 * splitter.push('a,"b\nc"\r\n1,2'); // [{ fields: ["a", "b\nc"], raw: 'a,"b\nc"' }]
 * splitter.end();                   // [{ fields: ["1", "2"], raw: "1,2" }]
 */
export class CsvSplitter {
  private text = ""; // unconsumed text; index 0 is the start of the current record
  private pos = 0;
  private state: State = "fieldStart";
  private fields: string[] = [];
  private fieldStart = 0;
  private fieldEnd = 0; // end of a quoted field's content (index of its closing quote)
  private escaped = false;
  private problem: string | undefined;
  private readonly delimiterCode: number;
  private readonly quoteCode: number;

  constructor(private readonly dialect: CsvDialect) {
    if (dialect.delimiter.length === 0 || dialect.quote.length !== 1) {
      throw new RangeError(`files: a CSV needs a delimiter and a one-character quote, got ${JSON.stringify(dialect)}`);
    }
    this.delimiterCode = dialect.delimiter.charCodeAt(0);
    this.quoteCode = dialect.quote.charCodeAt(0);
  }

  /** Feeds more text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    this.text += chunk;
    return this.scan(false);
  }

  /** No more text: returns the last record, if any. */
  end(): CsvRecord[] {
    return this.scan(true);
  }

  private scan(end: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const t = this.text;
    const n = t.length;
    const { delimiter, quote } = this.dialect;
    let recordStart = 0;
    let i = this.pos;

    const finishRecord = (termAt: number, termLength: number) => {
      const raw = t.slice(recordStart, termAt);
      const blank = this.fields.length === 1 && raw === "" && this.problem === undefined;
      if (!blank) out.push(this.problem === undefined ? { fields: this.fields, raw } : { fields: this.fields, raw, problem: this.problem });
      this.fields = [];
      this.problem = undefined;
      this.state = "fieldStart";
      i = termAt + termLength;
      recordStart = i;
    };
    // What ends a field at `at`: undefined when more text is needed to tell.
    const boundary = (at: number): { kind: "delimiter" | "record" | "other"; length: number } | undefined => {
      if (at >= n) return end ? { kind: "record", length: 0 } : undefined;
      const c = t.charCodeAt(at);
      if (c === LF) return { kind: "record", length: 1 };
      if (c === CR) {
        if (at + 1 >= n && !end) return undefined;
        return { kind: "record", length: t.charCodeAt(at + 1) === LF ? 2 : 1 };
      }
      if (c === this.delimiterCode) {
        if (t.startsWith(delimiter, at)) return { kind: "delimiter", length: delimiter.length };
        if (at + delimiter.length > n && !end && delimiter.startsWith(t.slice(at))) return undefined;
      }
      return { kind: "other", length: 0 };
    };

    scan: while (true) {
      switch (this.state) {
        case "fieldStart": {
          if (i >= n) {
            if (!end) break scan;
            // "a,b," ends with an empty field; an empty remainder is no record at all.
            if (this.fields.length > 0 || i > recordStart) {
              this.fields.push("");
              finishRecord(i, 0);
            }
            break scan;
          }
          if (t.charCodeAt(i) === this.quoteCode) {
            this.state = "quoted";
            this.fieldStart = i + 1;
            this.escaped = false;
            i += 1;
          } else {
            this.state = "unquoted";
            this.fieldStart = i;
          }
          continue;
        }
        case "unquoted":
        case "badRest": {
          const inBadRest = this.state === "badRest";
          for (; i < n; i++) {
            const c = t.charCodeAt(i);
            if (c !== LF && c !== CR && (inBadRest || c !== this.delimiterCode)) continue;
            const b = boundary(i);
            if (!b) break scan;
            if (b.kind === "other" || (inBadRest && b.kind === "delimiter")) continue;
            if (!inBadRest) this.fields.push(t.slice(this.fieldStart, i));
            if (b.kind === "delimiter") {
              i += b.length;
              this.state = "fieldStart";
              continue scan;
            }
            finishRecord(i, b.length);
            continue scan;
          }
          if (!end) break scan;
          if (!inBadRest) this.fields.push(t.slice(this.fieldStart, i));
          finishRecord(i, 0);
          break scan;
        }
        case "quoted": {
          const close = t.indexOf(quote, i);
          if (close < 0 || (close + 1 >= n && !end)) {
            i = close < 0 ? n : close;
            if (!end) break scan;
            this.problem = `the quote opening field ${this.fields.length + 1} is never closed, so the rest of the file is this one row`;
            finishRecord(n, 0);
            break scan;
          }
          if (close + 1 < n && t.charCodeAt(close + 1) === this.quoteCode) {
            this.escaped = true;
            i = close + 2;
            continue;
          }
          this.fieldEnd = close;
          this.state = "afterQuote";
          i = close + 1;
          continue;
        }
        case "afterQuote": {
          const b = boundary(i);
          if (!b) break scan;
          if (b.kind === "other") {
            this.problem = `unexpected ${JSON.stringify(t[i])} after the closing quote of field ${this.fields.length + 1}`;
            this.state = "badRest";
            continue;
          }
          const content = t.slice(this.fieldStart, this.fieldEnd);
          this.fields.push(this.escaped ? content.replaceAll(quote + quote, quote) : content);
          if (b.kind === "delimiter") {
            i += b.length;
            this.state = "fieldStart";
            continue;
          }
          finishRecord(i, b.length);
          continue;
        }
      }
    }

    if (n - recordStart > this.dialect.maxRecordChars) {
      const start = t.slice(recordStart, recordStart + 60);
      throw new UnreadableContentError(
        `a row is longer than ${this.dialect.maxRecordChars} characters (it starts ${JSON.stringify(start)}); an unclosed quote does this`,
      );
    }
    // Keep only the unfinished record; every index is rebased to its start.
    this.text = t.slice(recordStart);
    this.pos = i - recordStart;
    this.fieldStart -= recordStart;
    this.fieldEnd -= recordStart;
    return out;
  }
}
