/** Starting the embedded platform in a temp home for a test, and waiting on what a user would query. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLakeQuery } from "@tributary/core/catalog";
import { parseConfig, type ConfigInput, type TributaryConfig } from "@tributary/core/config";
import { startLocalPlatform, type LocalPlatform, type LocalSettings } from "@tributary/core/local";
import shipped from "../../tributary.config";

export interface TestPlatform extends LocalPlatform {
  config: TributaryConfig;
  /** Runs SQL over the lake as `tributary query` would. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Polls a single-number query until it reaches `expected` (or fails with the last value after `timeoutMs`). */
  waitForCount(sql: string, expected: number, timeoutMs?: number): Promise<number>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Stops the platform and removes its home. */
  dispose(): Promise<void>;
}

export async function makeHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), "tributary-test-"));
}

export async function startTestPlatform(
  options: { config?: ConfigInput; home?: string; landingScanMs?: number; settings?: Partial<LocalSettings>; startMachines?: boolean } = {},
): Promise<TestPlatform> {
  const config = parseConfig(options.config ?? shipped);
  const home = options.home ?? (await makeHome());
  const platform = await startLocalPlatform({
    settings: { home, port: 0, logLevel: "ERROR", ...options.settings },
    config,
    landingScanMs: options.landingScanMs ?? 100,
    startMachines: options.startMachines ?? false,
    log: (line) => (line.startsWith("local:") ? console.error(line) : undefined),
  });
  const query = async (sql: string) => {
    const lake = await openLakeQuery(platform.ports.lake, config);
    try {
      return await lake.query(sql);
    } finally {
      await lake.close();
    }
  };
  return {
    ...platform,
    config,
    query,
    async waitForCount(sql, expected, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = -1;
      while (Date.now() < deadline) {
        const [row] = await query(sql);
        last = Number(Object.values(row ?? {})[0] ?? 0);
        if (last >= expected) return last;
        await new Promise((r) => setTimeout(r, 150));
      }
      return last;
    },
    async post(path, body, headers = {}) {
      const res = await fetch(`${platform.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": platform.credentials.apiKey, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async dispose() {
      await platform.stop();
      if (!options.home) await rm(home, { recursive: true, force: true });
    },
  };
}
