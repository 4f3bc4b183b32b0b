/** Byte ranges with HTTP `Range` semantics, checked the same way by both adapters. */
import type { ByteRange } from "./store";
import { InvalidRangeError } from "./errors";

/**
 * Checks a range's shape and, when the object size is known, clamps its end to the last byte.
 * A range that starts at or past the end of the object is refused, as S3 answers 416 for it.
 *
 * @example checkRange("k", { start: 2 }, 10) // { start: 2, end: 9 }
 */
export function checkRange(key: string, range: ByteRange, size?: number): { start: number; end?: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw new InvalidRangeError(key, range, "start must be a whole number >= 0");
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new InvalidRangeError(key, range, "end must be a whole number >= start");
  }
  if (size === undefined) return end === undefined ? { start } : { start, end };
  if (start >= size) throw new InvalidRangeError(key, range, `the object has ${size} bytes`);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

/** The HTTP `Range` header value of a range, e.g. `bytes=0-99` or `bytes=100-`. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ""}`;
}
