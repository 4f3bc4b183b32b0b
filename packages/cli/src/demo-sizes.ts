/**
 * `tributary demo --scale <n>`: how much sample data one demo run sends. Scale 1 (the default) keeps the whole
 * demo around 10–20 s on a laptop. Records, hits, file rows and changes grow linearly with the scale (the number
 * of partner files up to 10, the probes up to 40), and the live drive stretches with its square root, so a bigger
 * scale is both more data and a higher rate.
 */
export interface DemoSizes {
  scale: number;
  /** How long the live drive spreads its sends over (it takes longer when the platform cannot keep up). */
  driveMs: number;
  /** user_events records (some invalid ones are sent on top: refused at the edge). */
  userEvents: number;
  userUtm: number;
  /** GA hits (1–3 events each; every 10th a Universal Analytics pageview). */
  gaHits: number;
  /** Partner files, each with `fileRows` good rows and two bad ones. */
  files: number;
  fileRows: number;
  /** Inserts, updates and deletes made in the SQL Server stand-in (customers and orders). */
  cdcChanges: number;
  /** Freshness probes (event → real-time report), half over the streams API, half over GA. */
  probes: number;
}

export const MAX_SCALE = 1000;
const DRIVE_MS = 6_000;
const MAX_DRIVE_MS = 120_000;

/**
 * Parses the `--scale` option: a whole number from 1 to 1000.
 *
 * @example parseDemoScale("4") // 4
 */
export function parseDemoScale(text: string | undefined): number {
  if (text === undefined) return 1;
  const scale = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new Error(`demo: --scale must be a whole number from 1 to ${MAX_SCALE}, got ${JSON.stringify(text)}`);
  }
  return scale;
}

/** @example demoSizes(1).userEvents // 240 */
export function demoSizes(scale: number): DemoSizes {
  return {
    scale,
    driveMs: Math.min(MAX_DRIVE_MS, Math.round(DRIVE_MS * Math.sqrt(scale))),
    userEvents: 240 * scale,
    userUtm: 60 * scale,
    gaHits: 60 * scale,
    files: 2 + Math.min(8, scale),
    fileRows: 100 * scale,
    cdcChanges: 60 * scale,
    probes: Math.min(40, 12 + 4 * scale),
  };
}

/** One line for the terminal: what this scale sends. */
export function describeSizes(sizes: DemoSizes): string {
  return (
    `scale ${sizes.scale}: ${sizes.userEvents} user_events + ${sizes.userUtm} user_utm records, ${sizes.gaHits} GA hits, ` +
    `${sizes.files} partner files × ${sizes.fileRows} rows, ${sizes.cdcChanges} SQL Server changes, ${sizes.probes} freshness probes, ` +
    `over ~${Math.round(sizes.driveMs / 1000)} s`
  );
}
