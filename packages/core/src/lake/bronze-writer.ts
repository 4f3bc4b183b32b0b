/**
 * `BronzeWriter`: validated records of one dataset and batch → bronze Parquet files, partitioned by the
 * dataset's partition time (`dt=…/hour=…`), with the lineage columns filled in.
 */
import { z } from "zod";
import { nowMicros, partitionOf, type CanonicalValue, type Column, type Dataset, type Row } from "../config";
import { datasetPrefix } from "./keys";
import { canonicalValueCheckOf, type CanonicalValueCheck } from "./canonical-values";
import { InvalidRecordError, InvalidWriterOptionsError, MissingLineageError } from "./errors";
import { PartitionedParquetWriter, type Partition, type WriteSummary } from "./partitioned-writer";
import { parseWriterOptions, withDefaults, WriterOptionsSchema } from "./writer-options";

/** Lineage the caller knows per record: `_record_id` plus the kind's columns (`KIND_LINEAGE`), e.g. `_lsn` for CDC. */
export type LineageValues = { _record_id: string } & Record<string, CanonicalValue>;

/** Lineage columns the writer fills itself, the same for every record of a batch. */
const WRITER_LINEAGE = new Set(["_ingested_at", "_source", "_batch_id"]);
const MICROS_PER_HOUR = 3_600_000_000;

/** A column with its value check looked up once, not per value. */
interface CheckedColumn {
  name: string;
  nullable: boolean;
  check: CanonicalValueCheck;
}

const BronzeWriterOptionsSchema = WriterOptionsSchema.extend({
  /** Ingestion time of the whole batch (µs). Pass it when retrying so `_ingested_at` partitions repeat exactly. */
  ingestedAt: z.bigint(),
}).strict();

export type BronzeWriterOptions = Omit<z.input<typeof BronzeWriterOptionsSchema>, "ingestedAt"> & { ingestedAt?: bigint };

/**
 * Writes one batch of a dataset to bronze. Files are `<bronze prefix>dt=…/hour=…/part-<batchId>-<nnnn>.parquet`:
 * the same batch id and input give the same keys, so a retried batch overwrites its files instead of duplicating
 * rows. At most `maxRowsPerFile` rows are buffered at any time.
 *
 * @example
 * const writer = new BronzeWriter({ store, dataset: datasetNamed(config, "user_events"), batchId: "b-42", maxRowsPerFile: 50_000 });
 * await writer.add(row, { _record_id: "r1", _received_at: now, _source_ip: null, _user_agent: null });
 * const { rows, files } = await writer.close();
 */
export class BronzeWriter {
  readonly dataset: Dataset;
  readonly batchId: string;
  readonly ingestedAt: bigint;
  private readonly declared: CheckedColumn[];
  private readonly declaredNames: Set<string>;
  private readonly callerLineage: Map<string, CheckedColumn>;
  private readonly partitionColumn: Column;
  private readonly writer: PartitionedParquetWriter;
  /** The partition of the last record's hour: rows of a file mostly arrive in time order, hour after hour. */
  private lastHour = NaN;
  private lastPartition: Partition | undefined;

  constructor(options: BronzeWriterOptions) {
    const parsed = parseWriterOptions(BronzeWriterOptionsSchema, withDefaults({ ingestedAt: nowMicros() }, options));
    this.dataset = parsed.dataset;
    this.batchId = parsed.batchId;
    this.ingestedAt = parsed.ingestedAt;
    const withCheck = (c: Column): CheckedColumn => ({ name: c.name, nullable: c.nullable, check: canonicalValueCheckOf(c.type) });
    this.declared = this.dataset.columns.filter((c) => !c.lineage).map(withCheck);
    this.declaredNames = new Set(this.declared.map((c) => c.name));
    this.callerLineage = new Map(this.dataset.columns.filter((c) => c.lineage && !WRITER_LINEAGE.has(c.name)).map((c) => [c.name, withCheck(c)]));
    const partitionColumn = this.dataset.columns.find((c) => c.name === this.dataset.partitionTime);
    if (!partitionColumn || (partitionColumn.type !== "timestamp" && partitionColumn.type !== "date")) {
      throw new InvalidWriterOptionsError([
        `dataset: partition time column ${JSON.stringify(this.dataset.partitionTime)} of dataset ${this.dataset.name} is not a timestamp or date column`,
      ]);
    }
    this.partitionColumn = partitionColumn;
    this.writer = new PartitionedParquetWriter({
      store: parsed.store,
      prefix: datasetPrefix(this.dataset, "bronze"),
      columns: this.dataset.columns,
      batchId: parsed.batchId,
      maxRowsPerFile: parsed.maxRowsPerFile,
      dataset: this.dataset.name,
    });
  }

  /**
   * Adds one record: `row` holds the declared columns (canonical values), `lineage` the caller-known lineage.
   * Not an `async` function: it runs once per row of a file, and handing on the writer's promise saves one per row;
   * a refused record still rejects (never throws).
   */
  add(row: Row, lineage: LineageValues): Promise<void> {
    try {
      const record = this.toRecord(row, lineage);
      return this.writer.add(this.partitionFor(record), record);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Keys stored so far; see `PartitionedParquetWriter.writtenKeys`. */
  writtenKeys(): string[] {
    return this.writer.writtenKeys();
  }

  /** Writes what is still buffered; returns every file this batch stored, in key order. */
  close(): Promise<WriteSummary> {
    return this.writer.close();
  }

  private toRecord(row: Row, lineage: LineageValues): Row {
    const recordId = typeof lineage?._record_id === "string" ? lineage._record_id : undefined;
    if (typeof row !== "object" || row === null) throw this.refuse(recordId, `expected the row as an object, got ${row === null ? "null" : typeof row}`);
    if (typeof lineage !== "object" || lineage === null) throw this.refuse(recordId, "expected lineage values, at least { _record_id }");
    if (lineage._record_id === "") throw this.refuse(recordId, "_record_id must not be empty");
    for (const name of Object.keys(row)) {
      if (!this.declaredNames.has(name)) throw this.refuse(recordId, `unknown column ${name} (declared: ${[...this.declaredNames].join(", ")})`);
    }
    for (const name of Object.keys(lineage)) {
      if (WRITER_LINEAGE.has(name)) throw this.refuse(recordId, `lineage column ${name} is filled by the writer`);
      if (!this.callerLineage.has(name)) {
        throw this.refuse(recordId, `unknown lineage column ${name} (a ${this.dataset.kind} dataset takes ${[...this.callerLineage.keys()].join(", ")})`);
      }
    }
    const record: Row = {};
    for (const c of this.declared) record[c.name] = this.checked(c, row[c.name], recordId);
    record._ingested_at = this.ingestedAt;
    record._source = this.dataset.source;
    record._batch_id = this.batchId;
    for (const c of this.callerLineage.values()) {
      const value = lineage[c.name];
      if ((value === undefined || value === null) && !c.nullable) throw new MissingLineageError(this.dataset.name, recordId, c.name);
      record[c.name] = this.checked(c, value, recordId);
    }
    return record;
  }

  /** The value as stored: undefined becomes null; a wrong type or a null in a required column is refused. */
  private checked(column: CheckedColumn, value: CanonicalValue | undefined, recordId: string | undefined): CanonicalValue {
    if (value === undefined || value === null) {
      if (!column.nullable) throw this.refuse(recordId, `column ${column.name} is required but is null`);
      return null;
    }
    const problem = column.check(value);
    if (problem) throw this.refuse(recordId, `column ${column.name}: ${problem}`);
    return value;
  }

  private refuse(recordId: string | undefined, detail: string): InvalidRecordError {
    return new InvalidRecordError(this.dataset.name, recordId, detail);
  }

  private partitionFor(record: Row): Partition {
    const value = record[this.partitionColumn.name];
    if (value === null || value === undefined) return partitionOf(this.ingestedAt);
    if (this.partitionColumn.type === "date") return { dt: value as string, hour: "00" };
    // The hour's index, exact in doubles (`%` of integers is exact); only from the epoch on, where truncating to
    // milliseconds (as partitionOf does) is flooring. Other times are not cached: NaN never equals lastHour.
    const micros = Number(value as bigint);
    const hour = Number.isSafeInteger(micros) && micros >= 0 ? (micros - (micros % MICROS_PER_HOUR)) / MICROS_PER_HOUR : NaN;
    if (hour === this.lastHour) return this.lastPartition!;
    let partition: Partition | undefined;
    try {
      partition = partitionOf(value as bigint);
    } catch {
      // toISOString throws past ±275760 years; reported below like any other unusable time.
    }
    if (!partition || !/^\d{4}-\d{2}-\d{2}$/.test(partition.dt)) {
      throw new InvalidRecordError(
        this.dataset.name,
        record._record_id as string,
        `partition time ${this.partitionColumn.name} = ${String(value)}µs is outside years 0000-9999`,
      );
    }
    this.lastHour = hour;
    this.lastPartition = partition;
    return partition;
  }
}
