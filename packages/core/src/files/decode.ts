/**
 * Opening a landed object as a byte stream: gzip is detected by its magic bytes (1f 8b), never by the name,
 * because partners misname files. Memory stays bounded: bytes flow through, nothing is buffered whole.
 */
import { PassThrough, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const GZIP_MAGIC = [0x1f, 0x8b];

export interface DecodedStream {
  stream: Readable;
  gzip: boolean;
}

/** Reads the first bytes, then hands back a stream that starts from byte 0 (gunzipped when the magic says so). */
export async function decodeStream(raw: Readable): Promise<DecodedStream> {
  const head = await firstChunk(raw);
  const replay = new PassThrough();
  if (head) replay.write(head);
  raw.on("error", (error) => replay.destroy(error));
  raw.pipe(replay);
  const gzip = head !== undefined && head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (!gzip) return { stream: replay, gzip };
  const gunzip = createGunzip();
  replay.on("error", (error) => gunzip.destroy(error));
  return { stream: replay.pipe(gunzip), gzip };
}

function firstChunk(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      cleanup();
      resolve(chunk ?? undefined);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
    };
    stream.once("readable", onReadable);
    stream.once("end", onEnd);
    stream.once("error", onError);
  });
}
