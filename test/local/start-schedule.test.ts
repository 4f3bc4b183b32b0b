import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidScheduleExpressionError } from "../../packages/core/src/local/errors";
import { startSchedule, type RunningSchedule, type ScheduleTick } from "@tributary/core/local/schedule";

const MINUTE = 60_000;
const schedules: RunningSchedule[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T10:07:00Z"));
});

afterEach(async () => {
  for (const schedule of schedules.splice(0)) await schedule.stop();
  vi.useRealTimers();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("startSchedule", () => {
  it("fires at the times the expression gives, with the scheduled time", async () => {
    // Prepare
    const ticks: ScheduleTick[] = [];
    schedules.push(startSchedule({ expression: "cron(0/15 * * * ? *)", run: async (tick) => void ticks.push(tick) }));

    // Act
    await vi.advanceTimersByTimeAsync(40 * MINUTE);

    // Assess
    expect(ticks.map((t) => t.scheduledTime.toISOString())).toEqual(["2026-01-01T10:15:00.000Z", "2026-01-01T10:30:00.000Z", "2026-01-01T10:45:00.000Z"]);
  });

  it("never runs twice at once: ticks that come during a run are skipped", async () => {
    // Prepare
    const gate = deferred();
    let active = 0;
    let mostActive = 0;
    let runs = 0;
    const skipped: string[] = [];
    const schedule = startSchedule({
      expression: "rate(1 minute)",
      run: async () => {
        runs++;
        mostActive = Math.max(mostActive, ++active);
        if (runs === 1) await gate.promise;
        active--;
      },
      onSkip: (tick) => skipped.push(tick.scheduledTime.toISOString()),
    });
    schedules.push(schedule);

    // Act
    await vi.advanceTimersByTimeAsync(3 * MINUTE + 1);
    const runsWhileBlocked = runs;
    gate.resolve();
    await vi.advanceTimersByTimeAsync(MINUTE);

    // Assess
    expect(runsWhileBlocked).toBe(1);
    expect(skipped).toEqual(["2026-01-01T10:09:00.000Z", "2026-01-01T10:10:00.000Z"]);
    expect(runs).toBe(2);
    expect(mostActive).toBe(1);
    expect(schedule.stats()).toEqual({ runs: 2, failed: 0, skipped: 2 });
  });

  it("reports a failed run and keeps firing", async () => {
    // Prepare
    const errors: Error[] = [];
    let runs = 0;
    const schedule = startSchedule({
      expression: "rate(5 minutes)",
      run: async () => {
        if (++runs === 1) throw new Error("source database unreachable");
      },
      onError: (error) => errors.push(error),
    });
    schedules.push(schedule);

    // Act
    await vi.advanceTimersByTimeAsync(10 * MINUTE);

    // Assess
    expect(errors.map((e) => e.message)).toEqual(["source database unreachable"]);
    expect(schedule.stats()).toEqual({ runs: 1, failed: 1, skipped: 0 });
  });

  it("stops firing and waits for the run in progress", async () => {
    // Prepare
    const gate = deferred();
    let runs = 0;
    let finished = false;
    const schedule = startSchedule({
      expression: "rate(1 minute)",
      run: async () => {
        runs++;
        await gate.promise;
        finished = true;
      },
    });
    await vi.advanceTimersByTimeAsync(MINUTE);

    // Act
    const stopped = schedule.stop().then(() => finished);
    gate.resolve();
    const finishedWhenStopped = await stopped;
    await vi.advanceTimersByTimeAsync(5 * MINUTE);

    // Assess
    expect(finishedWhenStopped).toBe(true);
    expect(runs).toBe(1);
    expect(schedule.nextFireTime()).toBeUndefined();
  });

  it("names a bad expression", () => {
    // Act
    const attempt = () => startSchedule({ expression: "rate(1 minutes)", run: async () => undefined });

    // Assess
    expect(attempt).toThrow(InvalidScheduleExpressionError);
    expect(attempt).toThrow('local schedule: expression "rate(1 minutes)" is invalid');
  });
});
