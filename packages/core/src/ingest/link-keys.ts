/**
 * Link key values carried on `record.ingested` so the link function can resolve entities without
 * re-reading bronze. Keys declared `hashed` (PII such as email) are never put on the bus in the clear:
 * they are left out here and resolved from the restricted bronze copy by the link step.
 */
import type { CanonicalValue, Dataset, LinkKey, Row } from "../config";

/**
 * @example normaliseLinkKey({ normalise: "email", hashed: true }, " Ann@Example.COM ") // "ann@example.com"
 */
export function normaliseLinkKey(key: Pick<LinkKey, "normalise">, value: CanonicalValue): string | undefined {
  if (value === null || value === "") return undefined;
  const text = String(value);
  switch (key.normalise) {
    case "none":
      return text;
    case "trim":
      return text.trim() || undefined;
    case "upper":
      return text.trim().toUpperCase() || undefined;
    case "lower":
    case "email":
      return text.trim().toLowerCase() || undefined;
  }
}

/** The clear-text link keys of one row: `{ customer_id: "42", kit_barcode: "KIT-1" }`. */
export function linkKeysOf(dataset: Dataset, keys: Record<string, LinkKey>, row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [column, keyName] of Object.entries(dataset.linkKeys)) {
    const key = keys[keyName];
    if (!key || key.hashed) continue;
    const value = normaliseLinkKey(key, row[column] ?? null);
    if (value !== undefined) out[keyName] = value;
  }
  return out;
}

/** Whether a row has a value for any hashed link key (kept off the bus, so only bronze holds it). */
export function hasHashedLinkValue(dataset: Dataset, keys: Record<string, LinkKey>, row: Row): boolean {
  return Object.entries(dataset.linkKeys).some(([column, keyName]) => keys[keyName]?.hashed === true && normaliseLinkKey(keys[keyName], row[column] ?? null) !== undefined);
}
