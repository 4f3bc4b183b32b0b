/**
 * The SQL of the DuckDB path: one `COPY` reads the staged CSV once, in parallel, and writes every row — good rows
 * into the bronze partition of their hour, rows the feed's rules refuse into one more partition — then a small
 * `COPY` turns that partition and the scanner's refused rows into the quarantine file.
 *
 * One pass, two kinds of rows: a `COPY` has one schema, so refused rows travel in the bronze columns, under a
 * NULL partition (`__HIVE_DEFAULT_PARTITION__`), with their reason in `_source` and their raw text in `_batch_id`
 * (both always constants for landed rows). The quarantine step renames them; nothing else reads that partition.
 * Reading the 2 GiB file twice instead (once per kind) would nearly double the time.
 *
 * ZSTD at level 1: bronze is raw and compacted later; on the bench file it writes 6% less CPU than level 3 for
 * files 0.5% larger.
 *
 * Bronze columns and types are those the JS writer produces (declared columns, then lineage, in `dataset.columns`
 * order; timestamps as TIMESTAMPTZ, i.e. Parquet `TIMESTAMP(isAdjustedToUTC, MICROS)`), so readers see one table.
 */
import type { Column, Dataset } from "../config";
import { sqlIdent, sqlLiteral } from "../lake/sql-text";
import { columnValueSql } from "./duckdb-values-sql";

/** DuckDB's directory name for a NULL partition value: where refused rows go. */
export const QUARANTINE_PARTITION = "__HIVE_DEFAULT_PARTITION__";
/** The partition column of the bronze COPY: the hour since the epoch (UTC) of the row's partition time. */
export const HOUR_COLUMN = "__hour";
const MICROS_PER_HOUR = 3_600_000_000n;

export interface StagedShape {
  path: string;
  delimiter: string;
  quote: string;
  /** The file's columns, in file order. */
  columns: readonly string[];
  /** The longest staged line in bytes: DuckDB's `max_line_size` must cover it. */
  longestLine: number;
}

export interface BronzeLineage {
  key: string;
  batchId: string;
  /** Ingestion time of the batch, µs. */
  ingestedAt: bigint;
}

/** DuckDB's default `max_line_size`; raised only for files with longer lines (its read buffers grow with it). */
const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;
const READ_BUFFER_BYTES = 4 * 1024 * 1024;
/**
 * Rows per Parquet row group. DuckDB's default (122,880) holds ~15 MB per open partition before it is compressed;
 * a quarter of it halves the COPY's memory and, under the memory limit, its time too (measured on a 32 MiB piece of
 * the bench file: 0.50 s of CPU against 0.78 s). Readers still skip and parallelise by row group.
 */
const ROW_GROUP_ROWS = 32_768;

/**
 * `read_csv` of the staged lines: every field as text, columns by position (`c0`, `c1`, …), nothing sniffed.
 *
 * @example readStagedSql({ path: "/tmp/x/staged.csv", delimiter: ",", quote: '"', columns: ["a"], longestLine: 80 })
 */
export function readStagedSql(staged: StagedShape): string {
  const columns = [`'__row': 'BIGINT'`, `'__raw': 'VARCHAR'`, ...staged.columns.map((_, i) => `'c${i}': 'VARCHAR'`)];
  return (
    `read_csv(${sqlLiteral(staged.path)}, columns = {${columns.join(", ")}}, header = false, auto_detect = false, ` +
    `delim = ${sqlLiteral(staged.delimiter)}, quote = ${sqlLiteral(staged.quote)}, escape = ${sqlLiteral(staged.quote)}, ` +
    `new_line = '\\n', strict_mode = true, null_padding = false, encoding = 'utf-8', ${lineSizes(staged.longestLine)}, store_rejects = true)`
  );
}

/**
 * The bronze COPY: returns the number of rows written (landed and refused).
 *
 * @example await connection.run(bronzeCopySql(dataset, staged, { key, batchId, ingestedAt }, "/tmp/x/bronze"))
 */
export function bronzeCopySql(dataset: Dataset, staged: StagedShape, lineage: BronzeLineage, outDir: string): string {
  const declared = dataset.columns.filter((c) => !c.lineage);
  const textOf = (column: Column) => {
    const at = staged.columns.indexOf(column.name);
    return at < 0 ? "CAST(NULL AS VARCHAR)" : `c${at}`;
  };
  if (staged.columns.length === 0) throw new RangeError(`files: a staged CSV needs at least one column (${staged.path})`);
  const valueOf = (j: number) => `v${j}`;
  const checks = declared.map((c, j) => ({ j, ...columnValueSql(c, textOf(c)) }));
  const fields = staged.columns.map((_, i) => `c${i}`);
  // The raw text of a record the scanner did not stage it for: its fields joined (they hold no quote, no line break).
  const rawOfPlainRecord = `concat_ws(${sqlLiteral(staged.delimiter)}, ${fields.map((f) => `coalesce(${f}, '')`).join(", ")})`;
  const landed = "__ok";
  const ingestedAt = `make_timestamp(${lineage.ingestedAt}::BIGINT)::TIMESTAMPTZ`;
  const ingestedHour = (lineage.ingestedAt / MICROS_PER_HOUR).toString();
  const lineageValues: Record<string, string> = {
    _record_id: `${sqlLiteral(`${lineage.batchId}:`)} || __row`,
    _ingested_at: ingestedAt,
    _source: `CASE WHEN ${landed} THEN ${sqlLiteral(dataset.source)} ELSE __reason END`,
    _batch_id: `CASE WHEN ${landed} THEN ${sqlLiteral(lineage.batchId)} ELSE coalesce(__raw, ${rawOfPlainRecord}) END`,
    _file: sqlLiteral(lineage.key),
    _row_number: "__row",
  };
  const output = dataset.columns.map((c) => {
    if (!c.lineage) return `${valueOf(declared.indexOf(c))} AS ${sqlIdent(c.name)}`;
    const value = lineageValues[c.name];
    if (value === undefined) throw new RangeError(`files: the DuckDB path does not fill lineage column ${c.name} of dataset ${dataset.name}`);
    return `${value} AS ${sqlIdent(c.name)}`;
  });
  const hour = partitionHourSql(dataset, declared, valueOf, ingestedHour);
  return `COPY (
  WITH typed AS (
    SELECT __row, __raw, ${fields.join(", ")}, ${checks.map((c) => `${c.value} AS ${valueOf(c.j)}`).join(", ")}
    FROM ${readStagedSql(staged)}
  ), checked AS (
    SELECT *, ${checks.map((c) => c.ok(valueOf(c.j))).join(" AND ")} AS __ok FROM typed
  ), reasoned AS (
    -- The reason is spelled out only for the rows that have one.
    SELECT *, CASE WHEN __ok THEN NULL ELSE concat_ws('; ', ${checks.map((c) => c.problem(valueOf(c.j))).join(", ")}) END AS __reason FROM checked
  )
  SELECT ${output.join(", ")}, CASE WHEN ${landed} THEN ${hour} END AS ${HOUR_COLUMN}
  FROM reasoned
) TO ${sqlLiteral(outDir)} (FORMAT PARQUET, COMPRESSION ZSTD, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (${HOUR_COLUMN}), FILENAME_PATTERN 'part-{i}')`;
}

/**
 * The quarantine COPY: refused rows of the bronze COPYs (if any) and of the scanner, as the quarantine table's
 * columns (`QUARANTINE_COLUMNS`). Not sorted: a 2 GiB file can refuse close to a million rows, whose sort would
 * not fit DuckDB's memory limit; readers order by `_origin`'s row number when they need to.
 */
export function quarantineCopySql(
  dataset: Dataset,
  sources: { refusedInCopy: string[]; refusedCsv: { path: string; longestLine: number } | undefined },
  lineage: BronzeLineage,
  outFile: string,
): string {
  const parts: string[] = [];
  if (sources.refusedInCopy.length > 0) {
    parts.push(`SELECT _row_number AS row, _source AS reason, _batch_id AS raw FROM read_parquet([${sources.refusedInCopy.map(sqlLiteral).join(", ")}])`);
  }
  if (sources.refusedCsv) {
    parts.push(
      `SELECT row, reason, raw FROM read_csv(${sqlLiteral(sources.refusedCsv.path)}, columns = {'row': 'BIGINT', 'reason': 'VARCHAR', 'raw': 'VARCHAR'}, ` +
        `header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', strict_mode = true, ` +
        `allow_quoted_nulls = false, ${lineSizes(sources.refusedCsv.longestLine)})`,
    );
  }
  return `COPY (
  SELECT ${sqlLiteral(`${lineage.batchId}:`)} || row AS _record_id, make_timestamp(${lineage.ingestedAt}::BIGINT)::TIMESTAMPTZ AS _quarantined_at,
    ${sqlLiteral(dataset.source)} AS _source, ${sqlLiteral(lineage.batchId)} AS _batch_id, reason AS _reason,
    ${sqlLiteral(`${lineage.key}:`)} || row AS _origin, raw AS _raw
  FROM (${parts.join(" UNION ALL ")})
) TO ${sqlLiteral(outFile)} (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`;
}

/**
 * `max_line_size` for lines up to `longest` bytes — DuckDB's default unless longer lines need more — and a read
 * buffer of twice that, at least 4 MiB: DuckDB's default buffer is 16 lines' worth (32 MiB) per thread, which
 * a file-ingest process cannot afford beside everything else (measured: 4 MiB reads as fast).
 */
function lineSizes(longest: number): string {
  const maxLine = Math.max(DEFAULT_MAX_LINE_BYTES, 2 ** Math.ceil(Math.log2(longest + 1)));
  return `max_line_size = ${maxLine}, buffer_size = ${Math.max(READ_BUFFER_BYTES, 2 * maxLine)}`;
}

/** The hour (since the epoch, UTC) of a landed row's partition time; the batch's ingestion hour when it has none. */
function partitionHourSql(dataset: Dataset, declared: Column[], valueOf: (j: number) => string, ingestedHour: string): string {
  const j = declared.findIndex((c) => c.name === dataset.partitionTime);
  if (j < 0) return ingestedHour; // `_ingested_at`, the default
  const column = declared[j]!;
  const value = valueOf(j);
  if (column.type !== "timestamp" && column.type !== "date") {
    throw new RangeError(`files: partition time column ${column.name} of dataset ${dataset.name} is not a timestamp or date column`);
  }
  // Integer arithmetic on microseconds: date_trunc on a TIMESTAMPTZ goes through the time zone library per row.
  const micros = column.type === "date" ? `epoch_us(CAST(${value} AS TIMESTAMP))` : `epoch_us(${value})`;
  return `coalesce(tributary_floor_div(${micros}, 3600000000), ${ingestedHour})`;
}
