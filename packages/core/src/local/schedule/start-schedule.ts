/**
 * Runs a function on an EventBridge schedule expression, in process. Runs never overlap: a tick that comes while
 * the previous run is still going is skipped (and counted), so one schedule never has two runs at once.
 */
import { parseScheduleExpression } from "./expression";

export interface ScheduleTick {
  /** The fire time the schedule computed (the `time` an EventBridge scheduled event would carry). */
  scheduledTime: Date;
}

export interface StartScheduleOptions {
  expression: string;
  run: (tick: ScheduleTick) => Promise<void>;
  /** Told about every failed run; default: logged to stderr. */
  onError?: (error: Error) => void;
  /** Told about every tick skipped because the previous run was still going. */
  onSkip?: (tick: ScheduleTick) => void;
}

export interface ScheduleStats {
  runs: number;
  failed: number;
  skipped: number;
}

export interface RunningSchedule {
  readonly expression: string;
  /** When the schedule fires next (undefined once stopped or when a cron has no fire time left). */
  nextFireTime(): Date | undefined;
  stats(): ScheduleStats;
  /** Runs now, outside the timetable (after a run in progress finishes: runs still never overlap). */
  runNow(): Promise<void>;
  /** Stops firing and resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Throws `InvalidScheduleExpressionError` (naming the expression) when the expression does not parse.
 *
 * @example
 * const schedule = startSchedule({ expression: "rate(1 minute)", run: async () => pollChanges() });
 * await schedule.stop();
 */
export function startSchedule(options: StartScheduleOptions): RunningSchedule {
  const schedule = parseScheduleExpression(options.expression);
  const onError = options.onError ?? ((error: Error) => console.error(error));
  const stats: ScheduleStats = { runs: 0, failed: 0, skipped: 0 };
  let next = schedule.nextAfter(new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = async (tick: ScheduleTick) => {
    try {
      await options.run(tick);
      stats.runs++;
    } catch (error) {
      stats.failed++;
      onError(error instanceof Error ? error : new Error(`local schedule ${options.expression}: run failed: ${String(error)}`));
    } finally {
      running = undefined;
    }
  };

  const fire = () => {
    timer = undefined;
    if (stopped || !next) return;
    // Timers are capped at ~24.8 days; a longer wait is done in several hops.
    if (Date.now() < next.getTime()) return arm();
    const tick = { scheduledTime: next };
    // After a stall (a suspended laptop), continue from now instead of replaying every missed tick.
    next = schedule.nextAfter(new Date(Math.max(next.getTime(), Date.now())));
    if (running) {
      stats.skipped++;
      options.onSkip?.(tick);
    } else {
      running = runOnce(tick);
    }
    arm();
  };

  const arm = () => {
    if (stopped || !next) return;
    timer = setTimeout(fire, Math.min(Math.max(0, next.getTime() - Date.now()), MAX_TIMER_MS));
    // The platform's servers decide how long the process lives, not a pending schedule.
    timer.unref?.();
  };

  arm();
  return {
    expression: options.expression,
    nextFireTime: () => (stopped ? undefined : next),
    stats: () => ({ ...stats }),
    async runNow() {
      while (running) await running;
      running = runOnce({ scheduledTime: new Date() });
      await running;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
