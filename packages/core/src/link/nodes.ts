/**
 * Link nodes: one normalised key value, e.g. `customer_id:42` or `email_hash:<hmac>`. Records that share a node
 * belong to one entity. A key with `sameAs` shares its target's namespace (GA user id "42" is customer id "42").
 * Keys declared `hashed` are PII (email): the node holds a keyed hash (HMAC-SHA256, secret LINK_HASH_KEY), never
 * the value, so the link tables hold no clear PII.
 */
import { createHash, createHmac } from "node:crypto";
import type { CanonicalValue, Dataset, LinkKey } from "../config";
import { normaliseLinkKey } from "../ingest/link-keys";
import { LinkHashKeyMissingError } from "./errors";

export interface LinkNode {
  /** The key namespace (a `sameAs` key resolves to its target's name). */
  key: string;
  /** The normalised value, or its keyed hash for hashed keys. */
  value: string;
  /** `key:value`: the node's identity in the link tables. */
  id: string;
}

/**
 * The node of one key value, or undefined when the value is empty.
 *
 * @example linkNode(config.links.keys, "ga_user_id", " 42 ") // { key: "customer_id", value: "42", id: "customer_id:42" }
 */
export function linkNode(keys: Record<string, LinkKey>, keyName: string, raw: CanonicalValue | unknown, hashKey?: string): LinkNode | undefined {
  const spec = keys[keyName];
  if (!spec || raw === null || raw === undefined) return undefined;
  const normalised = normaliseLinkKey(spec, typeof raw === "string" ? raw : String(raw));
  if (normalised === undefined) return undefined;
  const key = spec.sameAs ?? keyName;
  let value = normalised;
  if (spec.hashed) {
    if (!hashKey) throw new LinkHashKeyMissingError(keyName);
    value = createHmac("sha256", hashKey).update(`${key}:${normalised}`, "utf8").digest("hex");
  }
  return { key, value, id: `${key}:${value}` };
}

/** The distinct link nodes of one row, in a stable order. */
export function linkNodesOf(dataset: Dataset, keys: Record<string, LinkKey>, row: Record<string, unknown>, hashKey?: string): LinkNode[] {
  const nodes = new Map<string, LinkNode>();
  for (const [column, keyName] of Object.entries(dataset.linkKeys)) {
    const node = linkNode(keys, keyName, row[column], hashKey);
    if (node) nodes.set(node.id, node);
  }
  return [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The entity a node starts in: a hash of the node, so every worker that first sees a key agrees on it without
 * coordinating. Merges keep the smallest id as survivor, which makes an entity's id the smallest `entityIdOf`
 * over its nodes: the same whatever order records arrive in.
 *
 * @example entityIdOf("customer_id:42") // "ent_…" (26 hex digits)
 */
export function entityIdOf(nodeId: string): string {
  return `ent_${createHash("sha256").update(nodeId, "utf8").digest("hex").slice(0, 26)}`;
}

/** Whether a dataset links by any hashed key (its rows must be read from restricted bronze with the hash key at hand). */
export function hasHashedLinkKey(dataset: Dataset, keys: Record<string, LinkKey>): boolean {
  return Object.values(dataset.linkKeys).some((k) => keys[k]?.hashed === true);
}
