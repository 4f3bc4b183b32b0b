/**
 * The Arrow side of the column vocabulary (`config/column-types.ts`): each column type's Arrow type, and
 * Arrow column data built straight from canonical values into typed arrays and validity bitmaps — no
 * per-value builder objects, so encoding a 250k-row file stays cheap. Which values are canonical: `canonical-values.ts`.
 *
 * | column type  | canonical value         | Arrow                       |
 * |--------------|-------------------------|-----------------------------|
 * | string, json | string                  | Utf8                        |
 * | int          | number (32-bit)         | Int32                       |
 * | bigint       | bigint                  | Int64                       |
 * | double       | number                  | Float64                     |
 * | boolean      | boolean                 | Bool                        |
 * | date         | "YYYY-MM-DD"            | Date32 (days)               |
 * | timestamp    | bigint µs since epoch   | Timestamp(µs, "UTC")        |
 * | decimal(p,s) | exact string "12.30"    | Decimal128(p, s)            |
 */
import {
  Bool,
  type Data,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  TimestampMicrosecond,
  Utf8,
  type DataType,
  makeData,
} from "apache-arrow";
import { decimalOf, epochDays, type CanonicalValue, type Column, type ColumnType, type Row, type ScalarType } from "../config";
import { CANONICAL_DATE, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, showValue } from "./canonical-values";
import { unscaledDecimal, writeDecimal128 } from "./decimal128";
import { ParquetEncodeError } from "./errors";

/** Utf8 offsets are 32-bit: one column of one file may hold at most 2 GiB of text. */
const MAX_UTF8_BYTES = 2 ** 31 - 1;

/**
 * The Arrow type a column type is stored as.
 *
 * @example arrowTypeOf("decimal(10,2)").toString() // "Decimal[10e-2]"
 */
export function arrowTypeOf(type: ColumnType): DataType {
  const dec = decimalOf(type);
  if (dec) return new Decimal(dec.scale, dec.precision, 128);
  switch (type as ScalarType) {
    case "string":
    case "json":
      return new Utf8();
    case "int":
      return new Int32();
    case "bigint":
      return new Int64();
    case "double":
      return new Float64();
    case "boolean":
      return new Bool();
    case "date":
      return new DateDay();
    case "timestamp":
      return new TimestampMicrosecond("UTC");
  }
  throw new ParquetEncodeError("(schema)", -1, `unsupported column type ${JSON.stringify(type)}`);
}

export function arrowFieldOf(column: Column): Field {
  return new Field(column.name, arrowTypeOf(column.type), column.nullable);
}

/**
 * Builds the Arrow data of one column from the rows' canonical values (`undefined` counts as null).
 * Throws `ParquetEncodeError` naming the column and row for a value of the wrong type or a null in a
 * non-nullable column.
 *
 * @example buildColumnData({ name: "n", type: "int", nullable: true, lineage: false }, [{ n: 1 }, { n: null }]).nullCount // 1
 */
export function buildColumnData(column: Column, rows: readonly Row[]): Data {
  return buildColumnValues(column, rows.map((row) => row[column.name]));
}

/**
 * `buildColumnData` from one column's values, in row order (what the writers buffer).
 *
 * @example buildColumnValues({ name: "n", type: "int", nullable: true, lineage: false }, [1, null]).nullCount // 1
 */
export function buildColumnValues(column: Column, values: readonly (CanonicalValue | undefined)[]): Data {
  const type = arrowTypeOf(column.type);
  const length = values.length;
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      if (!column.nullable) throw new ParquetEncodeError(column.name, i, `null in a non-nullable ${column.type} column`);
      nullCount++;
    } else {
      validity[i >> 3]! |= 1 << (i & 7);
    }
  }
  const nullBitmap = nullCount > 0 ? validity : undefined;
  const valueAt = (i: number) => values[i];
  const fail = (i: number, expected: string): never => {
    throw new ParquetEncodeError(column.name, i, `expected ${expected}, got ${showValue(valueAt(i))}`);
  };
  const isNull = (i: number) => nullCount > 0 && (validity[i >> 3]! & (1 << (i & 7))) === 0;
  const base = { length, nullCount, nullBitmap };

  const dec = decimalOf(column.type);
  if (dec) {
    const words = new Uint32Array(length * 4);
    for (let i = 0; i < length; i++) {
      if (isNull(i)) continue;
      const v = valueAt(i);
      if (typeof v !== "string") fail(i, `a decimal(${dec.precision},${dec.scale}) string`);
      const parsed = unscaledDecimal(v as string, dec);
      if (typeof parsed === "string") throw new ParquetEncodeError(column.name, i, parsed);
      writeDecimal128(words, i * 4, parsed);
    }
    return makeData({ type: type as Decimal, data: words, ...base });
  }

  switch (column.type as ScalarType) {
    case "string":
    case "json":
      return makeData({ type: type as Utf8, ...utf8Buffers(column.name, values, isNull, fail), ...base });
    case "int": {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        if (isNull(i)) continue;
        const v = valueAt(i);
        if (!Number.isInteger(v) || (v as number) < INT32_MIN || (v as number) > INT32_MAX) fail(i, "a 32-bit integer");
        data[i] = v as number;
      }
      return makeData({ type: type as Int32, data, ...base });
    }
    case "double": {
      const data = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        if (isNull(i)) continue;
        const v = valueAt(i);
        if (typeof v !== "number") fail(i, "a number");
        data[i] = v as number;
      }
      return makeData({ type: type as Float64, data, ...base });
    }
    case "bigint":
    case "timestamp": {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        if (isNull(i)) continue;
        const v = valueAt(i);
        if (typeof v !== "bigint" || v < INT64_MIN || v > INT64_MAX) fail(i, column.type === "bigint" ? "a 64-bit bigint" : "bigint microseconds");
        data[i] = v as bigint;
      }
      return column.type === "bigint"
        ? makeData({ type: type as Int64, data, ...base })
        : makeData({ type: type as TimestampMicrosecond, data, ...base });
    }
    case "boolean": {
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) {
        if (isNull(i)) continue;
        const v = valueAt(i);
        if (typeof v !== "boolean") fail(i, "a boolean");
        if (v) data[i >> 3]! |= 1 << (i & 7);
      }
      return makeData({ type: type as Bool, data, ...base });
    }
    case "date": {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        if (isNull(i)) continue;
        const v = valueAt(i);
        if (typeof v !== "string" || !CANONICAL_DATE.test(v)) fail(i, 'a date "YYYY-MM-DD"');
        data[i] = epochDays(v as string);
      }
      return makeData({ type: type as DateDay, data, ...base });
    }
  }
  throw new ParquetEncodeError(column.name, -1, `unsupported column type ${JSON.stringify(column.type)}`);
}

/** Past this many characters a column skips the ASCII fast path: one joined string must stay far below V8's limit. */
const MAX_JOINED_CHARS = 2 ** 27;

/**
 * Offsets and UTF-8 bytes of a string column. Most columns are ASCII (codes, ids, timestamps): then the values
 * are joined and written with one native call, offsets being string lengths. Otherwise each value's byte length
 * is measured (native `byteLength`), then one buffer is written in place.
 */
function utf8Buffers(
  name: string,
  values: readonly (CanonicalValue | undefined)[],
  isNull: (i: number) => boolean,
  fail: (i: number, expected: string) => never,
): { valueOffsets: Int32Array; data: Uint8Array } {
  const length = values.length;
  const valueOffsets = new Int32Array(length + 1);
  const parts: string[] = [];
  let chars = 0;
  // Lineage columns such as _file and _batch_id repeat one value in every row: then it is simply repeated.
  let same = true;
  for (let i = 0; i < length; i++) {
    if (!isNull(i)) {
      const v = values[i];
      if (typeof v !== "string") fail(i, "a string");
      if (same && parts.length > 0 && v !== parts[0]) same = false;
      parts.push(v as string);
      chars += (v as string).length;
    }
    valueOffsets[i + 1] = chars;
  }
  if (same && chars > 0 && chars <= MAX_UTF8_BYTES && Buffer.byteLength(parts[0]!, "utf8") === parts[0]!.length) {
    const data = Buffer.allocUnsafeSlow(chars);
    data.fill(parts[0]!, 0, chars, "latin1");
    return { valueOffsets, data };
  }
  if (chars <= MAX_JOINED_CHARS) {
    const joined = parts.join("");
    // UTF-8 takes more bytes than UTF-16 code units exactly when some character is not ASCII.
    if (Buffer.byteLength(joined, "utf8") === chars) {
      // Not from Buffer's shared pool: Arrow keeps this buffer, and every byte of it is written below.
      const data = Buffer.allocUnsafeSlow(chars);
      data.write(joined, 0, "latin1");
      return { valueOffsets, data };
    }
  }
  let total = 0;
  for (let i = 0; i < length; i++) {
    if (!isNull(i)) {
      total += Buffer.byteLength(values[i] as string, "utf8");
      if (total > MAX_UTF8_BYTES) {
        throw new ParquetEncodeError(name, i, "more than 2 GiB of text in one file; lower maxRowsPerFile");
      }
    }
    valueOffsets[i + 1] = total;
  }
  const data = Buffer.allocUnsafeSlow(total);
  for (let i = 0; i < length; i++) {
    const start = valueOffsets[i]!;
    if (valueOffsets[i + 1]! > start) data.write(values[i] as string, start, "utf8");
  }
  return { valueOffsets, data };
}
