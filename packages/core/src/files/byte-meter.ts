/**
 * Counting and hashing an object's bytes as they stream by (before any gunzip), so the manifest can say exactly
 * what was read — `bytes` and `sha256` — without a second pass over a file that may be many GB.
 */
import { createHash } from "node:crypto";

/** Progress of one file: data rows seen so far, object bytes read so far, and the object's size. */
export interface IngestProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

/** How often progress is reported: about once per MiB read, so a progress bar never slows ingestion down. */
export const PROGRESS_EVERY_BYTES = 1024 * 1024;

/**
 * @example
 * const meter = new ByteMeter(() => rowsRead, object.size, (p) => bar.update(p.bytes / p.totalBytes));
 * for await (const chunk of meter.measure(stream)) …;
 * meter.bytes; meter.sha256();
 */
export class ByteMeter {
  bytes = 0;
  private readonly hash = createHash("sha256");
  private reportedAt = 0;

  constructor(
    private readonly rows: () => number,
    private readonly totalBytes: number,
    private readonly onProgress?: (progress: IngestProgress) => void,
  ) {}

  /** Passes the chunks through unchanged, counting and hashing them. */
  async *measure(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      this.hash.update(chunk);
      if (this.onProgress && this.bytes - this.reportedAt >= PROGRESS_EVERY_BYTES) this.report();
      yield chunk;
    }
  }

  /** Reports progress now (used once more at the end, so the last report shows the whole file). */
  report(): void {
    this.reportedAt = this.bytes;
    this.onProgress?.({ rows: this.rows(), bytes: this.bytes, totalBytes: this.totalBytes });
  }

  /** Hex SHA-256 of every byte measured; call once the stream is exhausted. */
  sha256(): string {
    return this.hash.copy().digest("hex");
  }
}
