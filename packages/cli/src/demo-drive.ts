/**
 * The demo's live drive: every source at once for a while, paced evenly over `sizes.driveMs` — stream records
 * (batches, singles, a few invalid), GA hits (GA4 with 1–3 events, UA pixels, a few invalid), partner files with
 * bad rows dropped in landing/, SQL Server changes polled by the cdc-poll schedule, and freshness probes.
 */
import { gzipSync } from "node:zlib";
import type { LakeStore } from "@tributary/core/lake";
import type { CdcDriver } from "./demo-cdc";
import type { ReportProbes } from "./demo-freshness";
import type { DemoSender } from "./demo-send";
import type { DemoSizes } from "./demo-sizes";
import { landingPrefix, type DemoTally } from "./demo-tally";
import { invalidGaHit, invalidUserEvent, sampleGaHit, sampleLabResultsCsv, sampleUserEvents, sampleUtm, uaPageview } from "./samples";

export interface DriveContext {
  run: string;
  sizes: DemoSizes;
  sender: DemoSender;
  tally: DemoTally;
  lake: LakeStore;
  cdc: CdcDriver[];
  probes: ReportProbes;
}

/** Sends per tick; the drive is cut into this many slices per second. */
const TICKS_PER_SECOND = 4;
/** Requests of one slice in flight at once (a few concurrent clients). */
const CONCURRENCY = 6;
const MAX_BATCH = 100;
/** A cdc-poll run takes a second or two locally: changes go in every 2 s, each slice polled before the next. */
const CDC_POLL_MS = 2_000;

/** The `step`-th of `steps` even slices of `total` items: where it starts and how many it holds. */
function sliceOf(total: number, step: number, steps: number): { from: number; n: number } {
  const from = Math.floor((total * step) / steps);
  return { from, n: Math.floor((total * (step + 1)) / steps) - from };
}

/** Splits `total` into `steps` slices, running one per step on the clock; a slow step delays the next. */
async function paced(total: number, steps: number, driveMs: number, each: (from: number, n: number, step: number) => Promise<void>): Promise<void> {
  const started = Date.now();
  for (let step = 0; step < steps; step += 1) {
    const { from, n } = sliceOf(total, step, steps);
    await each(from, n, step);
    const wait = started + (driveMs * (step + 1)) / steps - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Runs `fn` over items with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function driveStreams(ctx: DriveContext, steps: number): Promise<void> {
  const invalid = Math.max(2, Math.floor(ctx.sizes.userEvents / 100));
  let invalidSent = 0;
  await paced(ctx.sizes.userEvents, steps, ctx.sizes.driveMs, async (from, n, step) => {
    const events = sampleUserEvents(ctx.run, n, from);
    // Every 4th slice sends its first record alone (202), the rest in batches (200 with per-record results).
    const single = step % 4 === 0 ? events.shift() : undefined;
    const sends: (() => Promise<unknown>)[] = chunks(events, MAX_BATCH).map((batch) => () => ctx.sender.records("user_events", batch));
    if (single) sends.push(() => ctx.sender.records("user_events", single));
    if (invalidSent < invalid && step % Math.max(1, Math.floor(steps / invalid)) === 0) {
      const bad = invalidUserEvent(ctx.run, invalidSent++);
      sends.push(() => ctx.sender.records("user_events", bad));
    }
    const utmSlice = sliceOf(ctx.sizes.userUtm, step, steps);
    const utm = sampleUtm(ctx.run, utmSlice.n, utmSlice.from);
    if (utm.length > 0) sends.push(() => ctx.sender.records("user_utm", utm));
    await inParallel(sends, CONCURRENCY, (send) => send());
  });
}

async function driveGa(ctx: DriveContext, steps: number): Promise<void> {
  await paced(ctx.sizes.gaHits, steps, ctx.sizes.driveMs, async (from, n) => {
    const hits = Array.from({ length: n }, (_, k) => from + k);
    await inParallel(hits, CONCURRENCY, (i) => {
      if (i % 30 === 29) return ctx.sender.ga4(invalidGaHit(ctx.run, i));
      if (i % 10 === 9) return ctx.sender.ua(uaPageview(ctx.run, 6000 + (i % 11)));
      // Every 12th hit comes from a crawler: tagged is_bot, not dropped.
      return ctx.sender.ga4(sampleGaHit(ctx.run, i), i % 12 === 5 ? { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)" } : {});
    });
  });
}

async function driveFiles(ctx: DriveContext): Promise<void> {
  await paced(ctx.sizes.files, ctx.sizes.files, ctx.sizes.driveMs, async (file) => {
    const csv = sampleLabResultsCsv(ctx.run, ctx.sizes.fileRows, file);
    await ctx.lake.put(`${landingPrefix("lab_results", ctx.run)}feed-${file}.csv.gz`, gzipSync(Buffer.from(csv.text)));
    ctx.tally.sent("lab_results", csv.good + csv.bad);
  });
}

async function driveCdc(ctx: DriveContext, cdc: CdcDriver): Promise<void> {
  const steps = Math.max(1, Math.round(ctx.sizes.driveMs / CDC_POLL_MS));
  await paced(ctx.sizes.cdcChanges, steps, ctx.sizes.driveMs, async (_from, n) => {
    if (n > 0) await cdc.change(n);
    await cdc.poll();
  });
}

async function driveProbes(ctx: DriveContext): Promise<void> {
  await paced(ctx.sizes.probes, ctx.sizes.probes, ctx.sizes.driveMs, async (_from, n) => {
    for (let k = 0; k < n; k += 1) await ctx.probes.send();
  });
}

/**
 * @example await driveLive({ run, sizes, sender, tally, lake: platform.ports.lake, cdc, probes });
 */
export async function driveLive(ctx: DriveContext): Promise<void> {
  const steps = Math.max(1, Math.round((ctx.sizes.driveMs / 1000) * TICKS_PER_SECOND));
  await Promise.all([driveStreams(ctx, steps), driveGa(ctx, steps), driveFiles(ctx), driveProbes(ctx), ...ctx.cdc.map((c) => driveCdc(ctx, c))]);
}
