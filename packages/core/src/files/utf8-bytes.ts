/**
 * A file's content as UTF-8 bytes, whatever the feed's declared encoding, for the DuckDB path (DuckDB then reads
 * plain UTF-8). Strict like `decodeText`, with the same errors: bytes invalid in the declared encoding fail the
 * file rather than landing U+FFFD. A leading byte order mark is dropped.
 *
 * UTF-8 — nearly every feed — is not decoded at all: it is validated natively (`isUtf8`) and passed through, each
 * chunk cut at a character boundary. latin1 and UTF-16LE are decoded by `decodeText` and re-encoded.
 */
import { isUtf8 } from "node:buffer";
import { decodeText, invalidTextError, type TextEncoding } from "./decode-text";

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * @example for await (const bytes of utf8Bytes(gunzipped, feed.format.encoding)) scanner.push(bytes);
 */
export async function* utf8Bytes(chunks: AsyncIterable<Uint8Array>, encoding: TextEncoding): AsyncGenerator<Buffer> {
  if (encoding !== "utf8") {
    for await (const text of decodeText(chunks, encoding)) yield Buffer.from(text, "utf8");
    return;
  }
  let offset = 0; // decompressed bytes before `held`, counting from 0 as decodeText's errors do
  let held: Buffer | undefined; // the start of a character cut by the previous chunk's end
  let first = true;
  for await (const chunk of chunks) {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (held) bytes = Buffer.concat([held, bytes]);
    held = undefined;
    let skip = 0;
    if (first) {
      // Too short to tell a BOM yet: wait for more.
      if (bytes.length < BOM.length && BOM.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
        held = bytes;
        continue;
      }
      first = false;
      if (BOM.every((b, i) => bytes[i] === b)) skip = BOM.length;
    }
    const whole = characterBoundary(bytes);
    if (!isUtf8(bytes.subarray(0, whole))) throw invalidTextError("utf8", bytes.subarray(0, whole), offset);
    if (whole < bytes.length) held = Buffer.from(bytes.subarray(whole));
    if (whole > skip) yield bytes.subarray(skip, whole);
    offset += whole;
  }
  // Bytes still held are a character cut by the end of the file (or the start of one, in a file that short).
  if (held) throw invalidTextError("utf8", new Uint8Array(), offset + held.length);
}

/** The length of the longest prefix that does not end inside a multi-byte character. */
function characterBoundary(bytes: Uint8Array): number {
  const n = bytes.length;
  // A character is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte
    const length = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
    return back < length ? n - back : n;
  }
  return n;
}
