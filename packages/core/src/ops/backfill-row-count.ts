/**
 * Rows of a bronze Parquet file, read from its footer only: one ranged read of the file's tail (two when the
 * footer is larger than the tail read), so counting a day of multi-GB files costs kilobytes, on S3 as locally.
 *
 * Parquet ends with `<FileMetaData> <footer length: u32 LE> "PAR1"`; FileMetaData is a Thrift compact-protocol
 * struct whose field 3 is `num_rows` (i64). https://github.com/apache/parquet-format#file-format
 */
import type { LakeObject, LakeStore } from "../lake";
import { UnreadableBronzeFileError } from "./backfill-errors";

const MAGIC = "PAR1";
/** Bronze footers are a few KiB (one schema entry and a few row groups of ~40 columns); one read usually covers it. */
const TAIL_BYTES = 64 * 1024;
const NUM_ROWS_FIELD = 3;

/**
 * @example await parquetRowCount(ports.lake, await ports.lake.head(key)) // 1250
 */
export async function parquetRowCount(lake: LakeStore, object: Pick<LakeObject, "key" | "size">): Promise<number> {
  const { key, size } = object;
  if (size < 12) throw new UnreadableBronzeFileError(key, `${size} bytes is too short for a Parquet file`);
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const tail = await readRange(lake, key, tailStart, size - 1);
  const magic = Buffer.from(tail.subarray(tail.length - 4)).toString("latin1");
  if (magic !== MAGIC) throw new UnreadableBronzeFileError(key, `it ends in ${JSON.stringify(magic)}, not "PAR1"${magic === "PARE" ? " (an encrypted footer)" : ""}`);
  const footerLength = Buffer.from(tail.buffer, tail.byteOffset, tail.length).readUInt32LE(tail.length - 8);
  const footerStart = size - 8 - footerLength;
  if (footerStart < 4) throw new UnreadableBronzeFileError(key, `its footer length ${footerLength} does not fit in ${size} bytes`);
  const footer = footerStart >= tailStart ? tail.subarray(footerStart - tailStart, tail.length - 8) : await readRange(lake, key, footerStart, size - 9);
  try {
    return numRowsOf(footer);
  } catch (error) {
    throw new UnreadableBronzeFileError(key, `its footer does not parse (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

async function readRange(lake: LakeStore, key: string, start: number, end: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of await lake.getStream(key, { start, end })) chunks.push(Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== end - start + 1) throw new UnreadableBronzeFileError(key, `a read of bytes ${start}-${end} returned ${bytes.length} bytes`);
  return bytes;
}

/** `num_rows` of a FileMetaData struct, skipping every other field. */
function numRowsOf(footer: Uint8Array): number {
  const reader = new CompactReader(footer);
  let fieldId = 0;
  for (;;) {
    const header = reader.byte();
    if (header === 0) throw new Error("FileMetaData has no num_rows field");
    const type = header & 0x0f;
    const delta = header >> 4;
    fieldId = delta === 0 ? Number(reader.zigzag()) : fieldId + delta;
    if (fieldId === NUM_ROWS_FIELD && type === I64) {
      const rows = reader.zigzag();
      if (rows < 0n || rows > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`num_rows ${rows} is out of range`);
      return Number(rows);
    }
    reader.skip(type);
  }
}

// Thrift compact protocol type ids. https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

class CompactReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("footer ends in the middle of a value");
    return this.bytes[this.pos++]!;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error("a varint runs past 10 bytes");
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  /** Skips a field's value (booleans live in the field header, so they have no bytes here). */
  skip(type: number): void {
    switch (type) {
      case BOOL_TRUE:
      case BOOL_FALSE:
        return;
      case BYTE:
        return this.advance(1);
      case I16:
      case I32:
      case I64:
        this.varint();
        return;
      case DOUBLE:
        return this.advance(8);
      case BINARY:
        return this.advance(Number(this.varint()));
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        for (let i = 0; i < size; i++) this.skipElement(header & 0x0f);
        return;
      }
      case MAP: {
        const size = Number(this.varint());
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipElement(kinds >> 4);
          this.skipElement(kinds & 0x0f);
        }
        return;
      }
      case STRUCT:
        for (let header = this.byte(); header !== 0; header = this.byte()) {
          if (header >> 4 === 0) this.zigzag();
          this.skip(header & 0x0f);
        }
        return;
      default:
        throw new Error(`unknown Thrift type ${type} at byte ${this.pos}`);
    }
  }

  /** Inside lists, sets and maps a boolean takes one byte. */
  private skipElement(type: number): void {
    if (type === BOOL_TRUE || type === BOOL_FALSE) this.advance(1);
    else this.skip(type);
  }

  private advance(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Error("footer ends in the middle of a value");
    this.pos += n;
  }
}
