/**
 * Staging a landed CSV for DuckDB: the object is streamed from the lake once — counted and hashed as stored,
 * gunzipped when its magic bytes say gzip, held to the size limit, validated (or re-encoded) as UTF-8 — and
 * `CsvRecordScanner` writes it to local disk as numbered, well-formed lines, with the rows it refuses (malformed
 * quoting, wrong field count) beside it (`refused.csv`: row, reason, raw text).
 *
 * The lines go to a series of piece files (8 MiB, then 32 MiB each, and never more than `maxRowsPerPiece` rows),
 * each handed to `onPiece` as soon as it is complete: DuckDB loads one piece while the next is staged, so the two overlap.
 * Node's gunzip runs on libuv's thread pool, so decompression overlaps the scan too. The same limits as the
 * streaming path apply: the stored size, the decompressed size and the caller's deadline, with the same errors.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { join } from "node:path";
import type { Dataset, FileFormat, FileLimits } from "../config";
import type { LakeStore } from "../lake";
import type { ByteMeter } from "./byte-meter";
import { CsvRecordScanner, type RefusedRow, type ScanOutput } from "./csv-record-scanner";
import { decodeStream } from "./decode";
import { HeaderMismatchError, UnreadableContentError } from "./errors";
import { headerProblem } from "./header";
import { assertBeforeDeadline, limitContent } from "./limits";
import { MAX_ROW_CHARS } from "./read-rows";
import { utf8Bytes } from "./utf8-bytes";

export type CsvFormat = Extract<FileFormat, { type: "csv" }>;

/** One piece of staged lines: `<row><d><raw or empty><d><fields…>` (see `CsvRecordScanner`). */
export interface StagedPiece {
  path: string;
  /** Its position among the pieces, from 0. */
  index: number;
  rows: number;
  /** The file's columns, in file order. */
  columns: string[];
  /** The longest staged line so far, in bytes (at least this piece's longest). */
  longestLine: number;
}

export interface StagedCsv {
  pieces: StagedPiece[];
  /** Refused rows as CSV: `row,reason,raw`, every text quoted. */
  refusedPath: string;
  /** The file's columns, in file order (the header's, or the feed's for a file without one). */
  columns: string[];
  rowsRead: number;
  rowsStaged: number;
  rowsRefused: number;
  /** The longest staged line, in bytes. */
  longestLine: number;
  /** The longest line of `refused.csv`, in bytes. */
  longestRefusedLine: number;
  gzip: boolean;
  /** Bytes of content after gunzip. */
  contentBytes: number;
}

export interface StageCsvInput {
  lake: LakeStore;
  key: string;
  size: number;
  format: CsvFormat;
  dataset: Dataset;
  limits: FileLimits;
  meter: ByteMeter;
  /** Read at every chunk (a getter may move it). */
  deadlineOf: () => number | undefined;
  /** Where the staged files go. */
  dir: string;
  /** Told the rows numbered so far, as they grow (for progress). */
  onRows?: (rows: number) => void;
  /** Told each complete piece, in order; not awaited (staging goes on meanwhile). */
  onPiece?: (piece: StagedPiece) => void;
  /** At most this many rows per piece (`settings.bronze.maxRowsPerFile`). */
  maxRowsPerPiece: number;
}

/**
 * Piece sizes: a small first piece so DuckDB starts early, then pieces small enough that the last one (loaded
 * after staging ends, with nothing to overlap) is short, and large enough that their files are not tiny.
 */
const FIRST_PIECE_BYTES = 8 * 1024 * 1024;
const PIECE_BYTES = 32 * 1024 * 1024;

/**
 * @example const staged = await stageCsv({ lake, key, size, format: feed.format, dataset, limits, meter, deadlineOf: () => deadline, dir });
 */
export async function stageCsv(input: StageCsvInput): Promise<StagedCsv> {
  const { key, dataset, format, meter } = input;
  const refusedPath = join(input.dir, "refused.csv");
  const declared = dataset.columns.filter((c) => !c.lineage).map((c) => c.name);
  const scanner = new CsvRecordScanner(
    { delimiter: format.delimiter, quote: format.quote, header: format.header, maxRecordBytes: MAX_ROW_CHARS },
    {
      columns: declared,
      rowBoundary: input.maxRowsPerPiece,
      onColumns: (names) => {
        const problem = headerProblem(dataset, names);
        if (problem) throw new HeaderMismatchError(key, problem);
      },
    },
  );
  const pieces: StagedPiece[] = [];
  let piece: { file: LocalFile; path: string; bytes: number; rows: number } | undefined;
  let pieceTarget = FIRST_PIECE_BYTES;
  const closePiece = async () => {
    if (!piece) return;
    const done = piece;
    piece = undefined;
    await done.file.close();
    const staged: StagedPiece = { path: done.path, index: pieces.length, rows: done.rows, columns: scanner.names!, longestLine: scanner.longestLine };
    pieces.push(staged);
    input.onPiece?.(staged);
    pieceTarget = PIECE_BYTES;
  };
  const refused = new LocalFile(refusedPath);
  const counted = { bytes: 0 };
  let rowsRefused = 0;
  let longestRefusedLine = 0;
  const take = async (output: ScanOutput) => {
    for (const staged of output.staged) {
      if (!piece) {
        const path = join(input.dir, `staged-${String(pieces.length).padStart(4, "0")}.csv`);
        piece = { file: new LocalFile(path), path, bytes: 0, rows: 0 };
      }
      await piece.file.write(staged.bytes);
      piece.bytes += staged.bytes.length;
      piece.rows += staged.rows;
      // Staged bytes are whole lines, so a piece can end after any of them; it ends at every row boundary, so no
      // piece — and no bronze file, which holds rows of one piece — has more than `maxRowsPerFile` rows.
      if (staged.atRowBoundary || piece.bytes >= pieceTarget) await closePiece();
    }
    for (const line of output.refused.map(refusedLine)) {
      longestRefusedLine = Math.max(longestRefusedLine, line.length);
      await refused.write(line);
    }
    rowsRefused += output.refused.length;
    input.onRows?.(scanner.rows);
  };
  try {
    assertBeforeDeadline(key, input.deadlineOf(), { bytes: 0, size: input.size });
    const decoded = await decodeStream(meter.measure(await input.lake.getStream(key)));
    const gzip = decoded.gzip;
    const content = limitContent(key, decoded.stream, input.limits, counted);
    for await (const bytes of utf8Bytes(content, format.encoding)) {
      await take(scanner.push(bytes));
      assertBeforeDeadline(key, input.deadlineOf(), { bytes: meter.bytes, size: input.size });
    }
    await take(scanner.end());
    if (meter.bytes !== input.size) {
      throw new UnreadableContentError(`read ${meter.bytes} bytes but the object has ${input.size}: it changed while being read`);
    }
    await closePiece();
    await refused.close();
    return {
      pieces,
      refusedPath,
      // A header-only or empty file still has its columns: the header's, or (without a header) the feed's.
      columns: scanner.names ?? declared,
      rowsRead: scanner.rows,
      rowsStaged: scanner.rows - rowsRefused,
      rowsRefused,
      longestLine: scanner.longestLine,
      longestRefusedLine,
      gzip,
      contentBytes: counted.bytes,
    };
  } finally {
    piece?.file.destroy();
    refused.destroy();
  }
}

/** An RFC 4180 line of a refused row: the row number, then the reason and the raw text, always quoted. */
function refusedLine(row: RefusedRow): Buffer {
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  return Buffer.from(`${row.rowNumber},${quoted(row.reason)},${quoted(row.raw)}\n`, "utf8");
}

/** A local file written with backpressure; a write error (disk full) surfaces at the next write or at close. */
class LocalFile {
  private readonly stream: WriteStream;
  private error: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path);
    this.stream.on("error", (error) => (this.error ??= error));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    // `once` rejects if the stream errors while we wait for it to drain.
    if (!this.stream.write(bytes)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end();
    await finished(this.stream);
  }

  destroy(): void {
    this.stream.destroy();
  }
}
