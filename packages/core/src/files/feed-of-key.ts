/**
 * Which feed a landed key belongs to. Keys are `landing/<feed>/<anything>`; anything else — a key outside a
 * declared feed, with `..`, control characters, or a folder marker — is refused with a reason, never read.
 */
import type { Feed, TributaryConfig } from "../config";
import { LANDING_PREFIX, unsafeKeyReason } from "../lake/keys";
import { RejectedKeyError } from "./errors";

/**
 * @example feedOfKey(config, "landing/lab_results/2026/11/batch-7.csv.gz").name // "lab_results"
 */
export function feedOfKey(config: TributaryConfig, key: string): Feed {
  const unsafe = unsafeKeyReason(key);
  if (unsafe) throw new RejectedKeyError(key, unsafe);
  if (!key.startsWith(LANDING_PREFIX)) throw new RejectedKeyError(key, `not under ${LANDING_PREFIX}`);
  const [feedName, ...rest] = key.slice(LANDING_PREFIX.length).split("/");
  const feed = config.feeds.find((f) => f.name === feedName);
  if (!feed) {
    throw new RejectedKeyError(key, `no feed named "${feedName}" (declared: ${config.feeds.map((f) => f.name).join(", ") || "none"})`);
  }
  if (rest.length === 0 || rest.at(-1) === "") throw new RejectedKeyError(key, "a folder, not a file");
  return feed;
}
