/**
 * md5 etags of files for the filesystem adapter. A file's etag is computed once (streamed, so large landing
 * files do not need memory) and reused while its size, mtime and inode are unchanged.
 */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  etag: string;
}

/** Bounded, so a long-running local platform over a large lake does not grow without limit. */
const MAX_ENTRIES = 20_000;

export class EtagCache {
  private readonly entries = new Map<string, Entry>();

  remember(path: string, info: Stats, etag: string): void {
    this.entries.delete(path);
    this.entries.set(path, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, etag });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(path: string): void {
    this.entries.delete(path);
  }

  async etagOf(path: string, info: Stats): Promise<string> {
    const known = this.entries.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) return known.etag;
    const hash = createHash("md5");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const etag = hash.digest("hex");
    this.remember(path, info, etag);
    return etag;
  }
}
