/**
 * The buffered values of one column until its Parquet file is written. 64-bit integer columns (bigint,
 * timestamp) keep their values in a growing `BigInt64Array`: a large file carries millions of BigInt values,
 * and held in arrays they would all outlive the young generation and be copied and marked by the GC until the
 * flush. Other columns keep a plain array of values (their strings must stay alive anyway).
 */
import { type Data, type Int64, type TimestampMicrosecond, makeData } from "apache-arrow";
import type { CanonicalValue, Column } from "../config";
import { arrowTypeOf, buildColumnValues } from "./arrow-columns";
import { INT64_MAX, INT64_MIN } from "./canonical-values";
import { ParquetEncodeError } from "./errors";

const INITIAL_CAPACITY = 1024;

/**
 * @example
 * const buffer = new ColumnBuffer({ name: "at", type: "timestamp", nullable: true, lineage: false });
 * buffer.push(1767323045123456n);
 * buffer.push(null);
 * buffer.toData().nullCount // 1
 */
export class ColumnBuffer {
  length = 0;
  /** Values of any column that is not (or no longer) held in `int64`. */
  private values: (CanonicalValue | undefined)[] | undefined;
  private int64: BigInt64Array | undefined;
  /** One byte per row of `int64`: 1 = a value, 0 = null. */
  private present = new Uint8Array(0);
  private nullCount = 0;

  constructor(readonly column: Column) {
    if (column.type === "bigint" || column.type === "timestamp") {
      this.int64 = new BigInt64Array(INITIAL_CAPACITY);
      this.present = new Uint8Array(INITIAL_CAPACITY);
    } else {
      this.values = [];
    }
  }

  push(value: CanonicalValue | undefined): void {
    const int64 = this.int64;
    if (int64 === undefined) {
      this.values!.push(value);
      this.length++;
      return;
    }
    const i = this.length;
    if (value === null || value === undefined) {
      if (i === int64.length) return this.pushAfterGrowing(value);
      this.present[i] = 0;
      this.nullCount++;
    } else if (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX) {
      if (i === int64.length) return this.pushAfterGrowing(value);
      int64[i] = value;
      this.present[i] = 1;
    } else {
      // Not storable as int64 (the writers check first, so this is a caller's bug): keep it as it is, so the
      // flush refuses it with the same error as any other wrong value.
      this.values = this.buffered();
      this.int64 = undefined;
      this.values.push(value);
    }
    this.length++;
  }

  /** The column's Arrow data; throws `ParquetEncodeError` for a null in a non-nullable column or a wrong value. */
  toData(): Data {
    if (this.int64 === undefined) return buildColumnValues(this.column, this.values!);
    const { column, length, nullCount } = this;
    let nullBitmap: Uint8Array | undefined;
    if (nullCount > 0) {
      if (!column.nullable) throw new ParquetEncodeError(column.name, this.present.indexOf(0), `null in a non-nullable ${column.type} column`);
      nullBitmap = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (this.present[i]) nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
    const data = this.int64.subarray(0, length);
    return column.type === "bigint"
      ? makeData({ type: arrowTypeOf(column.type) as Int64, data, length, nullCount, nullBitmap })
      : makeData({ type: arrowTypeOf(column.type) as TimestampMicrosecond, data, length, nullCount, nullBitmap });
  }

  private pushAfterGrowing(value: CanonicalValue | undefined): void {
    const capacity = this.int64!.length * 2;
    const int64 = new BigInt64Array(capacity);
    int64.set(this.int64!);
    const present = new Uint8Array(capacity);
    present.set(this.present);
    this.int64 = int64;
    this.present = present;
    this.push(value);
  }

  private buffered(): (CanonicalValue | undefined)[] {
    const values: (CanonicalValue | undefined)[] = [];
    for (let i = 0; i < this.length; i++) values.push(this.present[i] ? this.int64![i]! : null);
    return values;
  }
}
