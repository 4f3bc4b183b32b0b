/**
 * SQL Server log sequence numbers. An LSN is `binary(10)`: kept as 20 upper-case hex digits, compared
 * byte-wise (`Buffer.compare`), never used in arithmetic — the source increments it (`sys.fn_cdc_increment_lsn`).
 * https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-cdc-increment-lsn-transact-sql
 */
import { InvalidLsnError } from "./errors";

const LSN_HEX = /^[0-9A-Fa-f]{20}$/;

/** The lowest possible LSN. */
export const ZERO_LSN = "00000000000000000000";

/** True for 20 hex digits. */
export function isLsn(value: unknown): value is string {
  return typeof value === "string" && LSN_HEX.test(value);
}

/**
 * Normalises an LSN (hex string, optionally `0x`-prefixed, or a 10-byte Buffer) to 20 upper-case hex digits.
 *
 * @example toLsn(Buffer.from("0000002a000001f00003", "hex")) // "0000002A000001F00003"
 */
export function toLsn(value: unknown): string {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    if (value.length !== 10) throw new InvalidLsnError(Buffer.from(value).toString("hex"));
    return Buffer.from(value).toString("hex").toUpperCase();
  }
  const text = typeof value === "string" ? value.replace(/^0x/i, "") : value;
  if (!isLsn(text)) throw new InvalidLsnError(value);
  return text.toUpperCase();
}

/** The LSN as the 10 bytes a `binary(10)` parameter takes. */
export function lsnBytes(lsn: string): Buffer {
  return Buffer.from(toLsn(lsn), "hex");
}

/**
 * Byte-wise comparison: negative, zero or positive like `Buffer.compare`.
 *
 * @example compareLsn("0000002A000001F00003", "0000002A000001F00004") // -1
 */
export function compareLsn(a: string, b: string): number {
  return Buffer.compare(lsnBytes(a), lsnBytes(b));
}

/** The greater of two LSNs. */
export function maxLsn(a: string, b: string): string {
  return compareLsn(a, b) >= 0 ? a : b;
}

/** An LSN made from a counter, for sources without real LSNs (the embedded stand-in). */
export function lsnOfCounter(counter: bigint): string {
  if (counter < 0n || counter >= 1n << 80n) throw new InvalidLsnError(String(counter));
  return counter.toString(16).toUpperCase().padStart(20, "0");
}

/** The counter behind an LSN made by `lsnOfCounter`. */
export function counterOfLsn(lsn: string): bigint {
  return BigInt(`0x${toLsn(lsn)}`);
}
