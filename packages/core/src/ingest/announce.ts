/**
 * `record.ingested` events: what landed in bronze, with each record's link keys, for the link function.
 * EventBridge entries are capped at 256 KB, so one batch may announce itself in several events.
 */
import type { BusEvent } from "../platform";
import { EVENT_SOURCE } from "../wiring";

export const RECORD_INGESTED = "record.ingested";
const MAX_EVENT_BYTES = 200_000;

export interface LandedRecord {
  recordId: string;
  keys: Record<string, string>;
}

export interface IngestedDataset {
  dataset: string;
  source: string;
  batchId: string;
  files: string[];
  landed: number;
  quarantined: number;
  /** False when the batch had more keyed records than an announcement carries: read the keys from `files`. */
  linkKeysComplete: boolean;
}

/**
 * @example recordIngestedEvents({ dataset: "user_events", … }, records).length // 1 for a small batch
 */
export function recordIngestedEvents(summary: IngestedDataset, records: LandedRecord[]): BusEvent[] {
  const events: BusEvent[] = [];
  const base = JSON.stringify(summary).length + 200;
  let chunk: LandedRecord[] = [];
  let size = base;
  const flush = (last: boolean) => {
    if (chunk.length === 0 && !(last && events.length === 0)) return;
    events.push({ source: EVENT_SOURCE, detailType: RECORD_INGESTED, detail: { ...summary, part: events.length, records: chunk } });
    chunk = [];
    size = base;
  };
  for (const record of records) {
    const bytes = JSON.stringify(record).length + 1;
    if (size + bytes > MAX_EVENT_BYTES) flush(false);
    chunk.push(record);
    size += bytes;
  }
  flush(true);
  return events;
}
