/**
 * Key checks shared by both `LakeStore` adapters, so a key that one adapter refuses the other refuses too.
 */
import { unsafeKeyReason } from "./keys";
import { UnsafeKeyError } from "./errors";

/**
 * The key of one object: safe, and not a "folder" (a key ending in `/` cannot be a file on disk).
 *
 * @example assertObjectKey("bronze/../secrets"); // throws UnsafeKeyError: key has an empty, '.' or '..' segment
 */
export function assertObjectKey(key: string): void {
  const reason = unsafeKeyReason(key) ?? (key.endsWith("/") ? "object keys cannot end with /" : undefined);
  if (reason) throw new UnsafeKeyError(key, reason);
}

/** A listing prefix: empty (the whole lake) or any safe key fragment, e.g. `bronze/` or `bronze/backend/cust`. */
export function assertPrefix(prefix: string): void {
  if (prefix === "") return;
  const reason = unsafeKeyReason(prefix);
  if (reason) throw new UnsafeKeyError(prefix, reason);
}

/** A prefix that names a directory: empty or ending in `/`, so staging can keep paths relative to it. */
export function assertDirectoryPrefix(prefix: string): void {
  assertPrefix(prefix);
  if (prefix !== "" && !prefix.endsWith("/")) {
    throw new UnsafeKeyError(prefix, "a staged prefix must be empty or end with / (it names a directory)");
  }
}

/**
 * Compares keys by their UTF-8 bytes: the order S3 lists keys in (a UTF-16 string sort differs for astral characters).
 *
 * @example ["a/b", "a-c"].sort(compareKeys) // ["a-c", "a/b"]
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
