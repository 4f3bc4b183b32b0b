/**
 * `BronzeWriter`: validated records of one dataset and batch → bronze Parquet files, partitioned by the
 * dataset's partition time (`dt=…/hour=…`), with the lineage columns filled in.
 */
import { z } from "zod";
import { nowMicros, partitionOf, type CanonicalValue, type Column, type Dataset, type Row } from "../config";
import { datasetPrefix } from "./keys";
import { canonicalValueProblem } from "./arrow-columns";
import { InvalidRecordError, InvalidWriterOptionsError, MissingLineageError } from "./errors";
import { PartitionedParquetWriter, type Partition, type WriteSummary } from "./partitioned-writer";
import { parseWriterOptions, withDefaults, WriterOptionsSchema } from "./writer-options";

/** Lineage the caller knows per record: `_record_id` plus the kind's columns (`KIND_LINEAGE`), e.g. `_lsn` for CDC. */
export type LineageValues = { _record_id: string } & Record<string, CanonicalValue>;

/** Lineage columns the writer fills itself, the same for every record of a batch. */
const WRITER_LINEAGE = new Set(["_ingested_at", "_source", "_batch_id"]);

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
  private readonly declared: Column[];
  private readonly declaredNames: Set<string>;
  private readonly callerLineage: Map<string, Column>;
  private readonly partitionColumn: Column;
  private readonly writer: PartitionedParquetWriter;

  constructor(options: BronzeWriterOptions) {
    const parsed = parseWriterOptions(BronzeWriterOptionsSchema, withDefaults({ ingestedAt: nowMicros() }, options));
    this.dataset = parsed.dataset;
    this.batchId = parsed.batchId;
    this.ingestedAt = parsed.ingestedAt;
    this.declared = this.dataset.columns.filter((c) => !c.lineage);
    this.declaredNames = new Set(this.declared.map((c) => c.name));
    this.callerLineage = new Map(this.dataset.columns.filter((c) => c.lineage && !WRITER_LINEAGE.has(c.name)).map((c) => [c.name, c]));
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

  /** Adds one record: `row` holds the declared columns (canonical values), `lineage` the caller-known lineage. */
  async add(row: Row, lineage: LineageValues): Promise<void> {
    const record = this.toRecord(row, lineage);
    await this.writer.add(this.partitionFor(record), record);
  }

  /** Writes what is still buffered; returns every file this batch stored, in key order. */
  /** Keys stored so far; see `PartitionedParquetWriter.writtenKeys`. */
  writtenKeys(): string[] {
    return this.writer.writtenKeys();
  }

  close(): Promise<WriteSummary> {
    return this.writer.close();
  }

  private toRecord(row: Row, lineage: LineageValues): Row {
    const recordId = typeof lineage?._record_id === "string" ? lineage._record_id : undefined;
    const refuse = (detail: string) => new InvalidRecordError(this.dataset.name, recordId, detail);
    if (typeof row !== "object" || row === null) throw refuse(`expected the row as an object, got ${row === null ? "null" : typeof row}`);
    if (typeof lineage !== "object" || lineage === null) throw refuse("expected lineage values, at least { _record_id }");
    if (lineage._record_id === "") throw refuse("_record_id must not be empty");
    for (const name of Object.keys(row)) {
      if (!this.declaredNames.has(name)) throw refuse(`unknown column ${name} (declared: ${[...this.declaredNames].join(", ")})`);
    }
    for (const name of Object.keys(lineage)) {
      if (WRITER_LINEAGE.has(name)) throw refuse(`lineage column ${name} is filled by the writer`);
      if (!this.callerLineage.has(name)) {
        throw refuse(`unknown lineage column ${name} (a ${this.dataset.kind} dataset takes ${[...this.callerLineage.keys()].join(", ")})`);
      }
    }
    const record: Row = {};
    for (const c of this.declared) record[c.name] = checked(c, row[c.name], refuse);
    record._ingested_at = this.ingestedAt;
    record._source = this.dataset.source;
    record._batch_id = this.batchId;
    for (const c of this.callerLineage.values()) {
      const value = lineage[c.name];
      if ((value === undefined || value === null) && !c.nullable) throw new MissingLineageError(this.dataset.name, recordId, c.name);
      record[c.name] = checked(c, value, refuse);
    }
    return record;
  }

  private partitionFor(record: Row): Partition {
    const value = record[this.partitionColumn.name];
    if (value === null || value === undefined) return partitionOf(this.ingestedAt);
    if (this.partitionColumn.type === "date") return { dt: value as string, hour: "00" };
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
    return partition;
  }
}

/** The value as stored: undefined becomes null; a wrong type or a null in a required column is refused. */
function checked(column: Column, value: CanonicalValue | undefined, refuse: (detail: string) => Error): CanonicalValue {
  if (value === undefined || value === null) {
    if (!column.nullable) throw refuse(`column ${column.name} is required but is null`);
    return null;
  }
  const problem = canonicalValueProblem(column.type, value);
  if (problem) throw refuse(`column ${column.name}: ${problem}`);
  return value;
}
