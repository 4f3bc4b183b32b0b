/**
 * Limits of one file-ingest invocation. A file that cannot be finished within them is refused with a message
 * naming its size, the limit and the setting — before anything is read when its stored size tells, otherwise as
 * soon as it is known, removing what had landed — never loaded in part.
 */
import type { FileFormat, FileLimits } from "../config";
import { FileTooLargeError } from "./errors";

const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * The exact count for the record, and a readable size for people.
 *
 * @example describeBytes(21474836480) // "21474836480 bytes (20.0 GiB)"
 */
export function describeBytes(bytes: number): string {
  let value = bytes;
  let unit = "";
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return unit ? `${bytes} bytes (${value.toFixed(1)} ${unit})` : `${bytes} bytes`;
}

/**
 * @example assertFileFits("landing/lab_results/huge.csv.gz", 30 * 2 ** 30, { type: "csv", … }, config.settings.files) // throws FileTooLargeError
 */
export function assertFileFits(key: string, size: number, format: FileFormat, limits: FileLimits): void {
  if (size > limits.maxBytesPerInvocation) {
    throw new FileTooLargeError(
      key,
      `${describeBytes(size)} exceeds settings.files.maxBytesPerInvocation, ${describeBytes(limits.maxBytesPerInvocation)}, ` +
        "what one invocation can read within Lambda's 15 minutes; split the file, or raise the setting if your measured throughput allows",
    );
  }
  if (format.type === "parquet" && size > limits.maxSpoolBytes) {
    throw new FileTooLargeError(
      key,
      `${describeBytes(size)} exceeds settings.files.maxSpoolBytes, ${describeBytes(limits.maxSpoolBytes)}: ` +
        "Parquet is spooled to ephemeral storage (/tmp, at most 10 GiB on Lambda) to be read; split the file or raise the setting with the function's ephemeral storage",
    );
  }
}

/**
 * Passes a file's content (after gunzip) through, refusing it once it grows past `maxBytesPerInvocation`: the
 * stored size of a gzip file says little about how long it takes to read (10:1 is common for CSV), and no
 * cheap look tells its decompressed size (the gzip trailer holds it modulo 4 GiB, and for the last member only).
 * What had landed by then is removed by the caller.
 *
 * @example for await (const chunk of limitContent(key, gunzipped, limits, counted)) …
 */
export async function* limitContent(
  key: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: FileLimits,
  counted: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    counted.bytes += chunk.length;
    if (counted.bytes > limits.maxBytesPerInvocation) {
      throw new FileTooLargeError(
        key,
        `it decompresses to more than settings.files.maxBytesPerInvocation, ${describeBytes(limits.maxBytesPerInvocation)}, ` +
          "what one invocation can read within Lambda's 15 minutes; what had landed was removed. Split the file, or raise the setting if your measured throughput allows",
      );
    }
    yield chunk;
  }
}

/**
 * The invocation is about to run out of time (its caller's deadline, e.g. Lambda's remaining time less a margin).
 *
 * @example assertBeforeDeadline(key, deadline, { bytes: 5e9, size: 8e9 })
 */
export function assertBeforeDeadline(key: string, deadline: number | undefined, read: { bytes: number; size: number }): void {
  if (deadline === undefined || Date.now() < deadline) return;
  throw new FileTooLargeError(
    key,
    `ran out of time after reading ${describeBytes(read.bytes)} of ${describeBytes(read.size)}; what had landed was removed. ` +
      "Lower settings.files.maxBytesPerInvocation so files this size are refused up front, or split the file",
  );
}
