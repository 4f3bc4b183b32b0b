/**
 * One ingestion batch, whatever the source: valid rows go to bronze, rejected ones to quarantine with their
 * reason, and on close the batch announces what landed. Counts always reconcile:
 * records in = landed + quarantined.
 */
import type { Dataset, Row } from "../config";
import { BronzeWriter, QuarantineWriter, type WriteSummary } from "../lake";
import type { Ports } from "../platform";
import { recordIngestedEvents, type LandedRecord } from "./announce";
import { hasHashedLinkValue, linkKeysOf } from "./link-keys";

export interface QuarantinedRecord {
  recordId: string;
  reason: string;
  /** Where the record came from, e.g. `landing/lab_results/a.csv:17`. */
  origin?: string;
  /** The record as received (JSON or the raw line). */
  raw?: string;
}

export interface DatasetOutcome {
  dataset: string;
  landed: number;
  quarantined: number;
  files: string[];
  quarantineFiles: string[];
}

export interface BatchOutcome {
  batchId: string;
  datasets: DatasetOutcome[];
  landed: number;
  quarantined: number;
}

/**
 * Link keys are carried on the announcement for at most this many records per dataset and batch. A large file
 * would otherwise hold every row's keys in memory; past the cap the event says so (`linkKeysComplete: false`)
 * and the link step reads the keys from the announced bronze files instead.
 */
export const MAX_ANNOUNCED_LINK_RECORDS = 50_000;

interface DatasetState {
  dataset: Dataset;
  bronze?: BronzeWriter;
  quarantine?: QuarantineWriter;
  landed: LandedRecord[];
  /** False once more records carried link keys than the announcement holds. */
  linkKeysComplete: boolean;
  landedCount: number;
  quarantinedCount: number;
}

/**
 * @example
 * const batch = new IngestBatch(ports, "b-1f3a");
 * await batch.land(dataset, row, { _record_id: "r1", _received_at: micros, _source_ip: null, _user_agent: null });
 * const outcome = await batch.close(); // writes Parquet, emits record.ingested
 */
export class IngestBatch {
  private readonly states = new Map<string, DatasetState>();
  private readonly ingestedAt: bigint;

  constructor(
    private readonly ports: Ports,
    readonly batchId: string,
    options: { ingestedAt?: bigint } = {},
  ) {
    this.ingestedAt = options.ingestedAt ?? BigInt(Date.now()) * 1000n;
  }

  private state(dataset: Dataset): DatasetState {
    let state = this.states.get(dataset.name);
    if (!state) {
      state = { dataset, landed: [], linkKeysComplete: true, landedCount: 0, quarantinedCount: 0 };
      this.states.set(dataset.name, state);
    }
    return state;
  }

  private writerOptions(dataset: Dataset) {
    return {
      store: this.ports.lake,
      dataset,
      batchId: this.batchId,
      maxRowsPerFile: this.ports.config.settings.bronze.maxRowsPerFile,
      ingestedAt: this.ingestedAt,
    };
  }

  /** A valid row: into bronze, and its link keys into the announcement. */
  async land(dataset: Dataset, row: Row, lineage: Row & { _record_id: string }): Promise<void> {
    const state = this.state(dataset);
    state.bronze ??= new BronzeWriter(this.writerOptions(dataset));
    await state.bronze.add(row, lineage);
    state.landedCount += 1;
    if (!state.linkKeysComplete) return;
    const keys = linkKeysOf(dataset, this.ports.config.links.keys, row);
    // A row linked only by a hashed key (email) is announced without it: the link step reads it from bronze.
    if (Object.keys(keys).length === 0 && !hasHashedLinkValue(dataset, this.ports.config.links.keys, row)) return;
    if (state.landed.length >= MAX_ANNOUNCED_LINK_RECORDS) {
      state.linkKeysComplete = false;
      state.landed = [];
    } else {
      state.landed.push({ recordId: lineage._record_id, keys });
    }
  }

  /** A rejected record: kept in quarantine with the reason, never dropped. */
  async quarantine(dataset: Dataset, record: QuarantinedRecord): Promise<void> {
    const state = this.state(dataset);
    state.quarantine ??= new QuarantineWriter(this.writerOptions(dataset));
    await state.quarantine.add(record);
    state.quarantinedCount += 1;
  }

  /**
   * Abandons the batch: removes every file it already stored (writers flush full files early), so a source
   * that failed halfway leaves no partial load behind. Nothing is announced.
   */
  async abort(): Promise<void> {
    for (const state of this.states.values()) {
      for (const key of [...(state.bronze?.writtenKeys() ?? []), ...(state.quarantine?.writtenKeys() ?? [])]) {
        await this.ports.lake.delete(key);
      }
    }
    this.states.clear();
  }

  /** Writes everything still buffered, then announces each dataset that landed rows. */
  async close(): Promise<BatchOutcome> {
    const datasets: DatasetOutcome[] = [];
    for (const state of this.states.values()) {
      const bronze: WriteSummary | undefined = await state.bronze?.close();
      const quarantine: WriteSummary | undefined = await state.quarantine?.close();
      datasets.push({
        dataset: state.dataset.name,
        landed: state.landedCount,
        quarantined: state.quarantinedCount,
        files: bronze?.files.map((f) => f.key) ?? [],
        quarantineFiles: quarantine?.files.map((f) => f.key) ?? [],
      });
    }
    const events = datasets.flatMap((d) => {
      const state = this.states.get(d.dataset)!;
      const summary = {
        dataset: d.dataset,
        source: state.dataset.source,
        batchId: this.batchId,
        files: d.files,
        landed: d.landed,
        quarantined: d.quarantined,
        linkKeysComplete: state.linkKeysComplete,
      };
      return d.landed > 0 ? recordIngestedEvents(summary, state.landed) : [];
    });
    // Announce only after every file is written: a consumer may read them at once.
    if (events.length > 0) await this.ports.bus.put(events);
    return {
      batchId: this.batchId,
      datasets,
      landed: datasets.reduce((n, d) => n + d.landed, 0),
      quarantined: datasets.reduce((n, d) => n + d.quarantined, 0),
    };
  }
}
