/**
 * Format readers: each turns a decoded byte stream into numbered rows, or into per-row problems that go to
 * quarantine with the raw text. A problem with the file as a whole (truncated gzip, not Parquet) throws.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import type { FileFormat } from "../config";

export type RawRow =
  | { rowNumber: number; record: Record<string, unknown>; raw: string }
  | { rowNumber: number; problem: string; raw: string };

/** Yields the rows of a file in order; `rowNumber` counts data rows from 1 (the header is not a row). */
export function readRows(stream: Readable, format: FileFormat): AsyncGenerator<RawRow> {
  switch (format.type) {
    case "csv":
      return readCsv(stream, format);
    case "jsonl":
      return readJsonLines(stream);
    case "parquet":
      return readParquet(stream);
  }
}

async function* readCsv(stream: Readable, format: Extract<FileFormat, { type: "csv" }>): AsyncGenerator<RawRow> {
  const parser = parse({
    delimiter: format.delimiter,
    quote: format.quote,
    encoding: format.encoding,
    bom: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  const skipped: RawRow[] = [];
  let rowNumber = 0;
  parser.on("skip", (error: Error & { raw?: string }) => {
    rowNumber += 1;
    skipped.push({ rowNumber, problem: `unparseable CSV: ${error.message}`, raw: error.raw ?? "" });
  });
  stream.on("error", (error) => parser.destroy(error));
  let header: string[] | undefined;
  for await (const item of stream.pipe(parser) as AsyncIterable<{ record: string[]; raw: string }>) {
    yield* skipped.splice(0);
    const raw = item.raw.replace(/\r?\n$/, "");
    if (!header && format.header) {
      header = item.record.map((h) => h.trim());
      continue;
    }
    rowNumber += 1;
    const names = header ?? item.record.map((_, i) => `column_${i + 1}`);
    if (item.record.length !== names.length) {
      yield { rowNumber, problem: `row has ${item.record.length} fields; the header has ${names.length}`, raw };
      continue;
    }
    const record: Record<string, unknown> = {};
    // CSV cannot tell an empty string from a missing value: empty fields are nulls.
    names.forEach((name, i) => (record[name] = item.record[i] === "" ? null : item.record[i]));
    yield { rowNumber, record, raw };
  }
  yield* skipped.splice(0);
}

async function* readJsonLines(stream: Readable): AsyncGenerator<RawRow> {
  stream.setEncoding("utf8");
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let rowNumber = 0;
  for await (const line of lines) {
    const raw = line.replace(/^\uFEFF/, "");
    if (raw.trim() === "") continue;
    rowNumber += 1;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        yield { rowNumber, problem: "line is JSON but not an object", raw };
      } else {
        yield { rowNumber, record: parsed as Record<string, unknown>, raw };
      }
    } catch (error) {
      yield { rowNumber, problem: `line is not JSON: ${(error as Error).message}`, raw };
    }
  }
}

/** Parquet needs random access to its footer: the object is spooled to a temp file and read in chunks by DuckDB. */
async function* readParquet(stream: Readable): AsyncGenerator<RawRow> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-parquet-"));
  const path = join(dir, "input.parquet");
  try {
    const out = createWriteStream(path);
    await pipeline(stream, out);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    try {
      const result = await connection.stream(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
      let rowNumber = 0;
      for await (const rows of result.yieldRowObjectJson()) {
        for (const record of rows) {
          rowNumber += 1;
          yield { rowNumber, record, raw: JSON.stringify(record) };
        }
      }
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

