/**
 * Format readers: each turns a file's (already gunzipped) bytes into numbered rows, or into per-row problems that
 * go to quarantine with the raw text. A problem with the file as a whole (invalid encoding, a row past the size
 * bound, not Parquet) throws.
 *
 * Row numbers count data rows from 1, in file order: the header is not a row, a CSV row spanning several lines
 * (quoted newlines) is one row, and blank lines are not rows.
 */
import type { FileFormat } from "../config";
import { CsvSplitter, type CsvRecord } from "./csv-splitter";
import { decodeText } from "./decode-text";
import { UnreadableContentError } from "./errors";
import { normaliseHeader } from "./header";
import { LineSplitter } from "./line-splitter";
import { readParquet } from "./read-parquet";

export type RawRow =
  | { rowNumber: number; record: Record<string, unknown>; raw: string }
  | { rowNumber: number; problem: string; raw: string };

export interface ReadRowsOptions {
  /** The feed's declared column names, in order: the columns of a CSV that has no header row. */
  columns: readonly string[];
  /** Called once the file's own columns are known (CSV header, Parquet schema), before any row; throw to refuse the file. */
  onColumns?: (names: string[]) => void;
  /** Parquet is spooled to local disk first; the key and the byte limit name the file and the limit if it is too large. */
  spool?: { key: string; maxBytes: number };
}

/**
 * A row (or a line) longer than this fails the file. It bounds memory when a quote is never closed or a
 * "JSON Lines" file has no line breaks; real rows are far shorter.
 */
export const MAX_ROW_CHARS = 8 * 1024 * 1024;

/**
 * @example for await (const row of readRows(gunzipped, feed.format, { columns: ["kit_barcode", …] })) …
 */
export function readRows(bytes: AsyncIterable<Uint8Array>, format: FileFormat, options: ReadRowsOptions): AsyncGenerator<RawRow> {
  switch (format.type) {
    case "csv":
      return readCsv(bytes, format, options);
    case "jsonl":
      return readJsonLines(bytes);
    case "parquet":
      return readParquet(bytes, options);
  }
}

async function* readCsv(bytes: AsyncIterable<Uint8Array>, format: Extract<FileFormat, { type: "csv" }>, options: ReadRowsOptions): AsyncGenerator<RawRow> {
  const splitter = new CsvSplitter({ delimiter: format.delimiter, quote: format.quote, maxRecordChars: MAX_ROW_CHARS });
  let names: string[] | undefined = format.header ? undefined : [...options.columns];
  const against = format.header ? "the header has" : "the feed declares";
  let rowNumber = 0;
  const toRow = (record: CsvRecord): RawRow | undefined => {
    if (!names) {
      if (record.problem) throw new UnreadableContentError(`the header row cannot be read: ${record.problem}`);
      names = normaliseHeader(record.fields);
      options.onColumns?.(names);
      return undefined;
    }
    rowNumber += 1;
    const { raw } = record;
    if (record.problem) return { rowNumber, problem: `malformed CSV: ${record.problem}`, raw };
    if (record.fields.length !== names.length) {
      const fields = record.fields.length === 1 ? "1 field" : `${record.fields.length} fields`;
      return { rowNumber, problem: `row has ${fields}; ${against} ${names.length}`, raw };
    }
    const values: Record<string, unknown> = {};
    // CSV cannot tell an empty string from a missing value: empty fields are nulls.
    names.forEach((name, i) => (values[name] = record.fields[i] === "" ? null : record.fields[i]));
    return { rowNumber, record: values, raw };
  };
  for await (const text of decodeText(bytes, format.encoding)) {
    for (const record of splitter.push(text)) {
      const row = toRow(record);
      if (row) yield row;
    }
  }
  for (const record of splitter.end()) {
    const row = toRow(record);
    if (row) yield row;
  }
}

async function* readJsonLines(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<RawRow> {
  const lines = new LineSplitter(MAX_ROW_CHARS);
  let rowNumber = 0;
  const toRow = (raw: string): RawRow | undefined => {
    if (raw.trim() === "") return undefined;
    rowNumber += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      return { rowNumber, problem: `line is not JSON: ${(error as Error).message}`, raw };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const got = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
      return { rowNumber, problem: `line is JSON but not an object (got ${got})`, raw };
    }
    return { rowNumber, record: parsed as Record<string, unknown>, raw };
  };
  for await (const text of decodeText(bytes, "utf8")) {
    for (const line of lines.push(text)) {
      const row = toRow(line);
      if (row) yield row;
    }
  }
  for (const line of lines.end()) {
    const row = toRow(line);
    if (row) yield row;
  }
}
