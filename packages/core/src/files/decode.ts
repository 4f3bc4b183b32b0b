/**
 * Opening a landed object as a byte stream: gzip is detected by its magic bytes (1f 8b), never by the name,
 * because partners misname files. Memory stays bounded: bytes flow through, nothing is buffered whole.
 */
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const GUNZIP_CHUNK_BYTES = 256 * 1024;

export interface DecodedStream {
  /** The object's content from byte 0, gunzipped when it is gzip. Errors (e.g. a truncated gzip) surface while iterating. */
  stream: Readable;
  gzip: boolean;
}

/**
 * Reads just enough to see the magic bytes, then hands back a stream that starts from byte 0. Concatenated gzip
 * members are read as one stream (as `gzip -d` does); a truncated gzip fails with "unexpected end of file".
 *
 * @example const { stream, gzip } = await decodeStream(await lake.getStream("landing/lab_results/a.csv"));
 */
export async function decodeStream(raw: AsyncIterable<Uint8Array>): Promise<DecodedStream> {
  const source = raw[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  // A stream may hand over its first byte alone: keep reading until the magic can be seen or the object ends.
  while (headBytes < GZIP_MAGIC.length) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  const first = Buffer.concat(head);
  const gzip = first.length >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  async function* replay(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (ended) return;
    for (let next = await source.next(); !next.done; next = await source.next()) yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length);
  }
  const bytes = Readable.from(replay(), { objectMode: false });
  if (!gzip) return { stream: bytes, gzip };
  // pipeline() forwards a source error into the gunzip stream, so whoever iterates it sees the failure.
  // 256 KiB out per chunk rather than zlib's 16 KiB: 16x fewer chunks through every stage after it.
  return { stream: pipeline(bytes, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), () => undefined), gzip };
}
