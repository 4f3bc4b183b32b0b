/**
 * Backfill from bronze: re-announces a dataset's bronze files of a date range as `record.ingested`, so whatever
 * listens to announcements (linking and the real-time report) catches up — after a link outage, a DLQ that
 * expired, or a new link rule. Bronze itself is not touched, and the silver merge is not involved (its watermark
 * is the silver manifest's `consumed` list, which re-announcing does not change).
 *
 * Safe to run any number of times: the link step is idempotent per record (entity resolution converges, report
 * facts are conditional writes on record versions), so a second backfill of the same range changes nothing.
 */
import { datasets, type Dataset } from "../config";
import { recordIngestedEvents, type IngestedDataset } from "../ingest/announce";
import type { ListedObject } from "../lake";
import { datasetPrefix } from "../lake/keys";
import type { Ports } from "../platform";
import { backfillDays } from "./backfill-days";
import { UnknownBackfillDatasetError } from "./backfill-errors";
import { parquetRowCount } from "./backfill-row-count";

export interface BackfillRequest {
  dataset: string;
  /** First `dt` partition, `YYYY-MM-DD` (UTC day), included. */
  from: string;
  /** Last `dt` partition, included. */
  to: string;
}

export interface BackfillProgress {
  /** Bronze files found in the range (known once listing is done). */
  files: number;
  announced: number;
  rows: number;
}

export interface BackfillOutcome extends BackfillProgress {
  dataset: string;
  from: string;
  to: string;
  /** `dt` partitions of the range that hold at least one bronze file. */
  partitions: string[];
}

export interface BackfillOptions {
  onProgress?: (progress: BackfillProgress) => void;
}

/** PutEvents takes at most 10 entries per call; announcing ten files at a time keeps one call per step. */
const ANNOUNCE_BATCH = 10;
const PART_FILE = /^part-(.+)-\d{4}\.parquet$/;

/**
 * Announces every bronze file of `dataset` in the `dt` partitions `from`..`to`, one `record.ingested` per file.
 * Each announcement says `linkKeysComplete: false`, so the link step reads the keys of every row from the file.
 *
 * @example
 * await backfillDataset(ports, { dataset: "orders", from: "2026-03-01", to: "2026-03-31" }, { onProgress: (p) => bar.update(p.announced) });
 * // { dataset: "orders", files: 31, announced: 31, rows: 48210, partitions: ["2026-03-01", …], … }
 */
export async function backfillDataset(
  ports: Pick<Ports, "config" | "lake" | "bus">,
  request: BackfillRequest,
  options: BackfillOptions = {},
): Promise<BackfillOutcome> {
  const { days, dataset } = checkBackfill(ports.config, request);
  const prefix = datasetPrefix(dataset, "bronze");

  const files: ListedObject[] = [];
  const partitions: string[] = [];
  for (const day of days) {
    const before = files.length;
    for await (const object of ports.lake.listKeys(`${prefix}dt=${day}/`)) if (object.key.endsWith(".parquet")) files.push(object);
    if (files.length > before) partitions.push(day);
  }

  const outcome: BackfillOutcome = { dataset: dataset.name, from: request.from, to: request.to, partitions, files: files.length, announced: 0, rows: 0 };
  const report = () => options.onProgress?.({ files: outcome.files, announced: outcome.announced, rows: outcome.rows });
  report();
  for (let i = 0; i < files.length; i += ANNOUNCE_BATCH) {
    const batch = files.slice(i, i + ANNOUNCE_BATCH);
    const rows = await Promise.all(batch.map((file) => parquetRowCount(ports.lake, file)));
    const events = batch.flatMap((file, n) => recordIngestedEvents(announcementOf(dataset, file.key, rows[n]!), []));
    await ports.bus.put(events);
    outcome.announced += batch.length;
    outcome.rows += rows.reduce((sum, r) => sum + r, 0);
    report();
  }
  return outcome;
}

/**
 * The days and dataset of a request, or a clear error — before anything is listed or announced.
 *
 * @example checkBackfill(config, { dataset: "orders", from: "2026-03-02", to: "2026-03-01" }) // throws InvalidBackfillRangeError
 */
export function checkBackfill(config: Ports["config"], request: BackfillRequest): { days: string[]; dataset: Dataset } {
  const days = backfillDays(request.from, request.to);
  const all = datasets(config);
  const dataset = all.find((d) => d.name === request.dataset);
  if (!dataset) throw new UnknownBackfillDatasetError(request.dataset, all.map((d) => d.name));
  return { days, dataset };
}

/** The announcement of one bronze file, naming the batch that wrote it (part of its deterministic file name). */
function announcementOf(dataset: Dataset, key: string, rows: number): IngestedDataset {
  const fileName = key.slice(key.lastIndexOf("/") + 1);
  return {
    dataset: dataset.name,
    source: dataset.source,
    batchId: PART_FILE.exec(fileName)?.[1] ?? fileName.replace(/\.parquet$/, ""),
    files: [key],
    landed: rows,
    quarantined: 0,
    linkKeysComplete: false,
  };
}
