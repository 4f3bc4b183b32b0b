/**
 * An optional JSON Lines archive of everything that crossed the bus (one file per bus) and of every delivery that
 * was given up on (`dead-letters.jsonl`), for inspection and replay. Appends are fsynced with group commit.
 */
import { join } from "node:path";
import { AppendLog } from "../queue/append-log";

export const DEAD_LETTER_ARCHIVE = "dead-letters";

export class EventArchive {
  private readonly logs = new Map<string, Promise<AppendLog>>();

  constructor(readonly dir: string) {}

  /** Appends each value as one JSON line to `<dir>/<name>.jsonl`; resolves once they are durable. */
  async append(name: string, values: readonly unknown[]): Promise<void> {
    if (values.length === 0) return;
    let log = this.logs.get(name);
    if (!log) {
      log = AppendLog.openForAppend(join(this.dir, `${name}.jsonl`));
      this.logs.set(name, log);
    }
    await (await log).append(values.map((v) => JSON.stringify(v)).join("\n"));
  }

  async close(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map(async (log) => (await log).close()));
  }
}
