/**
 * An append-only, fsync-acknowledged text log with group commit: every `append` resolves only once its line is
 * on disk, but all appends made while one write+fdatasync is in flight share the next one. That turns thousands
 * of small durable writes per second into a few dozen syncs. A rewrite (compaction) replaces the file atomically:
 * write a temporary file, fsync it, rename it over the log, fsync the directory.
 */
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { QueueJournalWriteError } from "../errors";

interface PendingBatch {
  text: string[];
  bytes: number;
  waiters: { resolve: () => void; reject: (error: Error) => void }[];
}

export class AppendLog {
  private pending: PendingBatch = emptyBatch();
  private flushing: Promise<void> | undefined;
  private rewriteSnapshot: (() => string) | undefined;
  /** A rewrite is requested or running: further requests would only rewrite the same state twice. */
  private rewriting = false;
  private failure: QueueJournalWriteError | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private size: number,
  ) {}

  /**
   * Atomically replaces whatever is at `path` with `content`, then opens it for appending.
   *
   * @example const log = await AppendLog.create("/tmp/q/journal.jsonl", ""); await log.append('{"t":"s"}');
   */
  static async create(path: string, content: string): Promise<AppendLog> {
    await writeAtomically(path, content);
    const handle = await open(path, "a");
    return new AppendLog(path, handle, Buffer.byteLength(content));
  }

  /**
   * Opens a log to keep appending to what it holds (creating it if missing). A torn last line from a crash is
   * closed with a newline first, so it stays one unreadable line instead of corrupting the next record.
   *
   * @example const archive = await AppendLog.openForAppend("/tmp/bus/tributary.jsonl");
   */
  static async openForAppend(path: string): Promise<AppendLog> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, "a+");
    let { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        await handle.write("\n");
        size++;
      }
    }
    return new AppendLog(path, handle, size);
  }

  /** Bytes in the log, counting lines still waiting for their group commit. */
  get bytes(): number {
    return this.size + this.pending.bytes;
  }

  /** Appends one line, or several joined by `\n` (without the final newline); resolves once they are durable. */
  append(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new QueueJournalWriteError(this.path, { cause: new Error("log is closed") }));
    const text = `${line}\n`;
    this.pending.text.push(text);
    // Byte length only matters for the compaction threshold; UTF-16 length is a close enough, much cheaper proxy.
    this.pending.bytes += text.length;
    const done = new Promise<void>((resolve, reject) => this.pending.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return done;
  }

  /**
   * Asks for the log to be rewritten at the next group commit with `snapshot()`'s output, which must describe
   * the state after every line appended so far (it is called synchronously when the batch is taken).
   */
  requestRewrite(snapshot: () => string): void {
    if (this.rewriting || this.closed || this.failure) return;
    this.rewriting = true;
    this.rewriteSnapshot = snapshot;
    this.scheduleFlush(true);
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing.catch(() => undefined);
    await this.handle.close();
  }

  private scheduleFlush(evenIfEmpty = false): void {
    if (this.flushing || (!evenIfEmpty && this.pending.waiters.length === 0)) return;
    // setImmediate lets every append made in the current tick join the first batch.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.waiters.length > 0 || this.rewriteSnapshot) {
        const batch = this.pending;
        this.pending = emptyBatch();
        const snapshot = this.rewriteSnapshot;
        this.rewriteSnapshot = undefined;
        try {
          if (this.failure) throw this.failure;
          if (snapshot) await this.rewrite(snapshot()).finally(() => (this.rewriting = false));
          else await this.writeAndSync(batch);
          for (const w of batch.waiters) w.resolve();
        } catch (error) {
          this.failure ??= error instanceof QueueJournalWriteError ? error : new QueueJournalWriteError(this.path, { cause: error });
          for (const w of batch.waiters) w.reject(this.failure);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeAndSync(batch: PendingBatch): Promise<void> {
    const buffer = Buffer.from(batch.text.join(""));
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
    }
    await this.handle.datasync();
    this.size += buffer.length;
  }

  private async rewrite(content: string): Promise<void> {
    await writeAtomically(this.path, content);
    const fresh = await open(this.path, "a");
    const old = this.handle;
    this.handle = fresh;
    this.size = Buffer.byteLength(content);
    await old.close();
  }
}

function emptyBatch(): PendingBatch {
  return { text: [], bytes: 0, waiters: [] };
}

/** Temp file + fsync + rename + directory fsync: after a crash the path holds the old content or all of the new. */
export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await rm(temporary, { force: true });
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF") throw error;
  } finally {
    await handle?.close();
  }
}
