/**
 * "Queues survive a crash or Ctrl-C, and a restart resumes where it stopped": `tributary dev` runs as a child
 * process, accepts records, is SIGKILLed before it can land them, and a restart on the same home lands every
 * accepted record. At-least-once: a record may land twice only under its own `_record_id`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DEV_API_KEY } from "@tributary/core/local";
import { makeHome, startTestPlatform, type TestPlatform } from "../support/platform";

const ROOT = join(import.meta.dirname, "..", "..");

function startDevProcess(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, "packages/cli/bin/tributary.js"), "dev"], {
    cwd: ROOT,
    env: { ...process.env, TRIBUTARY_HOME: home, TRIBUTARY_PORT: "0", TRIBUTARY_LOG_LEVEL: "ERROR", TRIBUTARY_API_KEY: undefined },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`dev did not start:\n${out}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /HTTP\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && out.includes("ready")) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`dev exited with ${code}:\n${out}`)));
  });
}

describe("crash and restart", () => {
  let home: string;
  let platform: TestPlatform | undefined;
  afterAll(async () => {
    await platform?.dispose();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("loses no accepted record when the platform is killed", async () => {
    // Prepare
    home = await makeHome();
    const { child, url } = await startDevProcess(home);
    const ids: string[] = [];

    // Act: accept 300 records in 6 batches, then SIGKILL without warning
    for (let b = 0; b < 6; b++) {
      const records = Array.from({ length: 50 }, (_, i) => {
        const id = `crash-${b}-${i}`;
        ids.push(id);
        return { request_id: id, request_timestamp: "2026-11-20T10:00:00Z", topic: "page_view" };
      });
      const res = await fetch(`${url}/v1/streams/user_events/records`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": DEV_API_KEY }, body: JSON.stringify({ records }) });
      expect(res.status).toBe(200);
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // A batch the killed consumer had already received stays invisible for the queue's visibility timeout
    // (180 s), as on SQS. Restart "that much later" by moving the clock (Date only; timers stay real).
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 185_000);
    let distinct: number;
    try {
      platform = await startTestPlatform({ home });
      distinct = await platform.waitForCount("SELECT count(DISTINCT request_id) FROM bronze.user_events WHERE request_id LIKE 'crash-%'", ids.length, 30_000);
    } finally {
      vi.useRealTimers();
    }

    // Assess
    expect(distinct).toBe(ids.length);
    const [dupes] = await platform.query(
      "SELECT count(*) - count(DISTINCT _record_id) AS extra, count(DISTINCT _record_id) - count(DISTINCT request_id) AS mismatch FROM bronze.user_events",
    );
    expect(Number(dupes!.mismatch)).toBe(0);
  });
});
