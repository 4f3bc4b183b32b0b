/**
 * Bytes to text in the feed's declared encoding, strictly: a byte sequence that is not valid in that encoding
 * fails the file instead of landing U+FFFD replacement characters in bronze (a latin1 file sent to a utf8 feed
 * would otherwise corrupt every accented name, silently). A leading byte order mark is dropped.
 */
import type { FileFormat } from "../config";
import { UnreadableContentError } from "./errors";

export type TextEncoding = Extract<FileFormat, { type: "csv" }>["encoding"];

/**
 * @example for await (const text of decodeText(gunzipped, "utf8")) splitter.push(text);
 */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>, encoding: TextEncoding): AsyncGenerator<string> {
  if (encoding === "latin1") {
    // ISO-8859-1 maps every byte to the code point of the same value: nothing is invalid, no state spans chunks.
    // (TextDecoder's "latin1" label means windows-1252, which differs in 0x80-0x9F.)
    for await (const chunk of chunks) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString("latin1");
    return;
  }
  // TextDecoder drops a leading BOM (ignoreBOM: false) and, with `stream`, keeps a character split across chunks.
  const decoder = new TextDecoder(encoding === "utf8" ? "utf-8" : "utf-16le", { fatal: true });
  let offset = 0;
  for await (const chunk of chunks) {
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw explain(error, encoding, chunk, offset);
    }
    offset += chunk.length;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch (error) {
    throw explain(error, encoding, new Uint8Array(), offset);
  }
  if (rest) yield rest;
}

function explain(error: unknown, encoding: TextEncoding, chunk: Uint8Array, offset: number): unknown {
  if (!(error instanceof TypeError)) return error;
  return invalidTextError(encoding, chunk, offset);
}

/**
 * The error for bytes that are not valid in the feed's encoding: it names the first bad byte when it can be told
 * (counting decompressed bytes from 0, `offset` being where `chunk` starts), else where the bad sequence ends.
 *
 * @example invalidTextError("utf8", Buffer.from([0x61, 0xe9, 0x62]), 100).reason // "byte 101 (0xe9, counting decompressed bytes from 0) is not valid utf8; …"
 */
export function invalidTextError(encoding: TextEncoding, chunk: Uint8Array, offset: number): UnreadableContentError {
  const at = encoding === "utf8" ? firstInvalidUtf8(chunk) : -1;
  const where =
    at >= 0
      ? `byte ${offset + at} (0x${chunk[at]!.toString(16).padStart(2, "0")}, counting decompressed bytes from 0)`
      : `a sequence ending by decompressed byte ${offset + chunk.length}`;
  return new UnreadableContentError(`${where} is not valid ${encoding}; set the feed's format.encoding to the file's encoding`);
}

/** Index of the first byte that cannot start or continue a UTF-8 sequence, or -1 (then the chunk's end is cut). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return -1;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return -1;
}
