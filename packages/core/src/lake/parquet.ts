/**
 * Parquet encoding of canonical rows: Arrow data built column by column (`arrow-columns.ts`), handed to
 * parquet-wasm (arrow-rs compiled to WebAssembly) as an Arrow IPC stream, written ZSTD-compressed.
 */
import { type Data, RecordBatch, Schema, Struct, Table, makeData, tableToIPC } from "apache-arrow";
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from "parquet-wasm";
import type { Column, Row } from "../config";
import { arrowFieldOf, buildColumnData } from "./arrow-columns";
import type { ColumnBuffer } from "./column-buffer";
import { LakeError, ParquetEncodeError } from "./errors";

/** Row groups stay well under the writer's default so readers can skip and parallelise within a file. */
const MAX_ROW_GROUP_ROWS = 128 * 1024;

/** The Arrow table of rows in the given column order (also used by readers that want Arrow, not Parquet). */
export function rowsToArrowTable(columns: readonly Column[], rows: readonly Row[]): Table {
  assertDistinct(columns);
  return arrowTable(columns, columns.map((c) => buildColumnData(c, rows)), rows.length);
}

/**
 * Encodes rows as one ZSTD-compressed Parquet file, columns in the order given. Values must be canonical
 * (see `config/column-types.ts`); a wrong type or a null in a non-nullable column throws `ParquetEncodeError`.
 *
 * @example
 * const bytes = encodeParquet(
 *   [{ name: "id", type: "bigint", nullable: false, lineage: false }, { name: "amount", type: "decimal(10,2)", nullable: true, lineage: false }],
 *   [{ id: 1n, amount: "12.30" }],
 * );
 */
export function encodeParquet(columns: readonly Column[], rows: readonly Row[]): Uint8Array {
  if (columns.length === 0) throw new ParquetEncodeError("(schema)", -1, "a Parquet file needs at least one column");
  return writeArrowTable(rowsToArrowTable(columns, rows), rows.length);
}

/**
 * `encodeParquet` from column buffers (what the lake writers hold), one per column in the same order.
 *
 * @example
 * const id = new ColumnBuffer(column);
 * id.push(1n);
 * const bytes = encodeParquetColumns([column], [id]);
 */
export function encodeParquetColumns(columns: readonly Column[], buffers: readonly ColumnBuffer[]): Uint8Array {
  if (columns.length === 0) throw new ParquetEncodeError("(schema)", -1, "a Parquet file needs at least one column");
  assertDistinct(columns);
  const length = buffers[0]?.length ?? 0;
  buffers.forEach((b, i) => {
    if (b.column.name !== columns[i]?.name || b.length !== length) {
      throw new ParquetEncodeError(b.column.name, -1, `column buffers do not line up with the columns (${b.length} values, ${length} expected)`);
    }
  });
  return writeArrowTable(arrowTable(columns, buffers.map((b) => b.toData()), length), length);
}

function assertDistinct(columns: readonly Column[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new ParquetEncodeError(c.name, -1, "the column is listed twice");
    seen.add(c.name);
  }
}

function arrowTable(columns: readonly Column[], children: Data[], length: number): Table {
  const schema = new Schema(columns.map(arrowFieldOf));
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

function writeArrowTable(table: Table, rows: number): Uint8Array {
  const ipc = tableToIPC(table, "stream");
  try {
    const properties = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(MAX_ROW_GROUP_ROWS)
      .setCreatedBy("tributary")
      .build();
    // Both the table and the properties are consumed (freed) by writeParquet.
    return writeParquet(WasmTable.fromIPCStream(ipc), properties);
  } catch (error) {
    throw new LakeError(`lake: parquet-wasm could not encode ${rows} rows: ${String(error)}`, { cause: error });
  }
}
