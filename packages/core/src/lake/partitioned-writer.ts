/**
 * The buffering engine under the bronze and quarantine writers: rows go into per-partition buffers and leave
 * as Parquet files named deterministically (`part-<batch>-<n>.parquet`), with memory bounded by `maxRowsPerFile`
 * rows in total across every partition. Buffers hold columns, not row objects (see `column-buffer.ts`).
 */
import type { Column, Row } from "../config";
import type { LakeStore } from "./store";
import { partFileName, partitionPath } from "./keys";
import { ColumnBuffer } from "./column-buffer";
import { encodeParquetColumns } from "./parquet";
import { compareKeys } from "./safe-keys";
import { LakeError, LakeWriteError, WriterClosedError } from "./errors";

export interface Partition {
  dt: string;
  hour: string;
}

export interface WrittenFile {
  key: string;
  rows: number;
  dt: string;
  hour: string;
  bytes: number;
}

export interface WriteSummary {
  /** Rows written, over every file. */
  rows: number;
  /** Files written, in key order. */
  files: WrittenFile[];
}

export interface PartitionedWriterOptions {
  store: LakeStore;
  /** Layer prefix of the dataset, ending in `/` (see `datasetPrefix`). */
  prefix: string;
  columns: readonly Column[];
  batchId: string;
  maxRowsPerFile: number;
  /** Named in errors. */
  dataset: string;
}

interface PartitionBuffer {
  partition: Partition;
  /** One per column, in the columns' order; all hold `rows` values. */
  columns: ColumnBuffer[];
  rows: number;
  /** Index of the partition's next file; kept after a flush so a later file never reuses a name. */
  nextChunk: number;
}

export const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";
const NOTHING_TO_WAIT_FOR = Promise.resolve();

/**
 * Buffers rows per partition and writes each full buffer as one Parquet file. A partition's buffer is written
 * when it reaches `maxRowsPerFile` rows, and the largest buffer is written early whenever all buffers together
 * would hold more than that, so memory stays bounded however the rows spread over partitions.
 *
 * @example
 * const writer = new PartitionedParquetWriter({ store, prefix: "bronze/streams/clicks/", columns, batchId: "b1", maxRowsPerFile: 1000, dataset: "clicks" });
 * await writer.add({ dt: "2026-01-02", hour: "03" }, row);
 * const { files } = await writer.close(); // [{ key: "bronze/streams/clicks/dt=2026-01-02/hour=03/part-b1-0000.parquet", rows: 1, … }]
 */
export class PartitionedParquetWriter {
  private readonly buffers = new Map<string, PartitionBuffer>();
  private readonly files: WrittenFile[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private buffered = 0;
  private lastBuffer: PartitionBuffer | undefined;
  private state: "open" | "closed" | "failed" = "open";
  private failure: unknown;

  constructor(private readonly options: PartitionedWriterOptions) {}

  /**
   * Buffers one row; resolves once any file this row completed is stored. Await it to keep memory bounded.
   * Not an `async` function: most rows complete no file, and those share one resolved promise instead of each
   * allocating its own. Errors still arrive as a rejection.
   */
  add(partition: Partition, row: Row): Promise<void> {
    try {
      return this.buffer(partition, row);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private buffer(partition: Partition, row: Row): Promise<void> {
    this.assertOpen();
    // Consecutive rows mostly share a partition: skip building its path and the map lookup then.
    let buffer = this.lastBuffer;
    if (!buffer || buffer.partition.dt !== partition.dt || buffer.partition.hour !== partition.hour) {
      const id = partitionPath(partition);
      buffer = this.buffers.get(id);
      if (!buffer) {
        buffer = { partition: { dt: partition.dt, hour: partition.hour }, columns: this.emptyColumns(), rows: 0, nextChunk: 0 };
        this.buffers.set(id, buffer);
      }
      this.lastBuffer = buffer;
    }
    const { columns } = this.options;
    for (let i = 0; i < columns.length; i++) buffer.columns[i]!.push(row[columns[i]!.name]);
    buffer.rows++;
    this.buffered++;
    const max = this.options.maxRowsPerFile;
    if (buffer.rows >= max) return this.flush(buffer);
    if (this.buffered > max) return this.flush(this.largestBuffer());
    return NOTHING_TO_WAIT_FOR;
  }

  /** Writes every remaining buffer (in partition order) and reports what this writer stored. */
  async close(): Promise<WriteSummary> {
    this.assertOpen();
    this.state = "closed";
    const remaining = [...this.buffers.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, buffer]) => buffer);
    try {
      for (const buffer of remaining) if (buffer.rows > 0) await this.flush(buffer);
      await Promise.all(this.inFlight);
    } catch (error) {
      this.state = "failed";
      throw error;
    }
    const files = [...this.files].sort((a, b) => compareKeys(a.key, b.key));
    return { rows: files.reduce((n, f) => n + f.rows, 0), files };
  }

  /** Keys stored so far (files flushed early included), so a caller abandoning the batch can remove them. */
  writtenKeys(): string[] {
    return this.files.map((f) => f.key);
  }

  private assertOpen(): void {
    if (this.state !== "open") throw new WriterClosedError(this.options.dataset, this.state, { cause: this.failure });
  }

  private largestBuffer(): PartitionBuffer {
    let largest: PartitionBuffer | undefined;
    for (const buffer of this.buffers.values()) if (!largest || buffer.rows > largest.rows) largest = buffer;
    return largest!;
  }

  private emptyColumns(): ColumnBuffer[] {
    return this.options.columns.map((c) => new ColumnBuffer(c));
  }

  private flush(buffer: PartitionBuffer): Promise<void> {
    // Taken synchronously, so adds that are not awaited cannot write the same rows or reuse a chunk number.
    const { columns, rows } = buffer;
    buffer.columns = this.emptyColumns();
    buffer.rows = 0;
    this.buffered -= rows;
    const { dt, hour } = buffer.partition;
    const key = `${this.options.prefix}${partitionPath(buffer.partition)}${partFileName(this.options.batchId, buffer.nextChunk++)}`;
    const write = (async () => {
      try {
        const bytes = encodeParquetColumns(this.options.columns, columns);
        const stored = await this.options.store.put(key, bytes, { contentType: PARQUET_CONTENT_TYPE });
        this.files.push({ key, rows, dt, hour, bytes: stored.size });
      } catch (error) {
        // The rows of this file are gone from memory: the writer cannot go on without silently losing them.
        this.state = "failed";
        this.failure = error;
        if (error instanceof LakeError) throw error;
        throw new LakeWriteError(key, String(error), { cause: error });
      }
    })();
    this.inFlight.add(write);
    return write.finally(() => this.inFlight.delete(write));
  }
}
