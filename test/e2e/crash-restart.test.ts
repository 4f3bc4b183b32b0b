/**
 * "Queues survive a crash or Ctrl-C, and a restart resumes where it stopped": `tributary dev` runs as a child
 * process, accepts records, is SIGKILLed before it can land them, and a restart on the same home lands every
 * accepted record. At-least-once: a record may land twice only under its own `_record_id`.
 */
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DEV_API_KEY } from "@tributary/core/local";
import { startDevProcess } from "../support/dev-process";
import { makeHome, startTestPlatform, type TestPlatform } from "../support/platform";



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
