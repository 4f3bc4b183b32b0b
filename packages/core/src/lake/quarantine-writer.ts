/**
 * `QuarantineWriter`: records that failed validation go to `quarantine/…` with their reason and raw form —
 * never dropped. Same deterministic names and bounded memory as the bronze writer.
 */
import { z } from "zod";
import { nowMicros, partitionOf, QUARANTINE_COLUMNS, type Dataset } from "../config";
import { datasetPrefix } from "./keys";
import { InvalidRecordError } from "./errors";
import { PartitionedParquetWriter, type WriteSummary } from "./partitioned-writer";
import { parseWriterOptions, withDefaults, WriterOptionsSchema } from "./writer-options";

export interface QuarantinedRecord {
  /** The record's id (the same `_record_id` it would have had in bronze). */
  recordId: string;
  /** Why it was refused, e.g. `describeProblems(result.problems)`. */
  reason: string;
  /** Where it came from, e.g. `landing/lab_results/2026-01-02.csv:17`. */
  origin?: string;
  /** The original record or line, as text. */
  raw?: string;
}

const QuarantineWriterOptionsSchema = WriterOptionsSchema.extend({
  /** Quarantine time of the whole batch (µs); it also picks the dt/hour partition. */
  quarantinedAt: z.bigint(),
  /**
   * The batch's ingestion time, so one options object serves both writers: records refused while a batch is
   * ingested are quarantined at its ingestion time, and a retried batch lands in the same partition.
   */
  ingestedAt: z.bigint().optional(),
}).strict();

export type QuarantineWriterOptions = Omit<z.input<typeof QuarantineWriterOptionsSchema>, "quarantinedAt"> & {
  /** Default: `ingestedAt` when given, else now. */
  quarantinedAt?: bigint;
};

/**
 * Writes one batch's rejected records of a dataset as Parquet (`QUARANTINE_COLUMNS`) under
 * `<quarantine prefix>dt=…/hour=…/part-<batchId>-<nnnn>.parquet`.
 *
 * @example
 * const quarantine = new QuarantineWriter({ store, dataset, batchId: "b-42", maxRowsPerFile: 50_000 });
 * await quarantine.add({ recordId: "r7", reason: "amount: expected a decimal(10,2), got \"abc\"", raw: line });
 * await quarantine.close();
 */
export class QuarantineWriter {
  readonly dataset: Dataset;
  readonly batchId: string;
  readonly quarantinedAt: bigint;
  private readonly writer: PartitionedParquetWriter;

  constructor(options: QuarantineWriterOptions) {
    const parsed = parseWriterOptions(
      QuarantineWriterOptionsSchema,
      withDefaults({ quarantinedAt: options.ingestedAt ?? nowMicros() }, options),
    );
    this.dataset = parsed.dataset;
    this.batchId = parsed.batchId;
    this.quarantinedAt = parsed.quarantinedAt;
    this.writer = new PartitionedParquetWriter({
      store: parsed.store,
      prefix: datasetPrefix(this.dataset, "quarantine"),
      columns: QUARANTINE_COLUMNS,
      batchId: parsed.batchId,
      maxRowsPerFile: parsed.maxRowsPerFile,
      dataset: this.dataset.name,
    });
  }

  async add(record: QuarantinedRecord): Promise<void> {
    const { recordId, reason, origin, raw } = record;
    const refuse = (detail: string) => new InvalidRecordError(this.dataset.name, typeof recordId === "string" ? recordId : undefined, detail);
    if (typeof recordId !== "string" || recordId === "") throw refuse("a quarantined record needs a non-empty recordId");
    if (typeof reason !== "string" || reason === "") throw refuse("a quarantined record needs a non-empty reason");
    if (origin !== undefined && typeof origin !== "string") throw refuse(`origin must be a string, got ${typeof origin}`);
    if (raw !== undefined && typeof raw !== "string") throw refuse(`raw must be the original record as a string, got ${typeof raw}`);
    await this.writer.add(partitionOf(this.quarantinedAt), {
      _record_id: recordId,
      _quarantined_at: this.quarantinedAt,
      _source: this.dataset.source,
      _batch_id: this.batchId,
      _reason: reason,
      _origin: origin ?? null,
      _raw: raw === undefined ? null : detachedCopy(raw),
    });
  }

  /** Keys stored so far; see `PartitionedParquetWriter.writtenKeys`. */
  writtenKeys(): string[] {
    return this.writer.writtenKeys();
  }

  close(): Promise<WriteSummary> {
    return this.writer.close();
  }
}

/**
 * A copy of `text` that shares no memory with the string it came from. A raw line is often a slice of a much
 * larger decoded chunk of the file, and V8 keeps the whole chunk alive as long as the slice lives: bad rows are
 * rare and spread out, so the quarantine buffer would otherwise hold nearly every chunk it has seen (measured:
 * ~250 MB after 3.5M rows of a file with 3% bad rows). UTF-16 round-trips any JS string exactly.
 */
function detachedCopy(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}
