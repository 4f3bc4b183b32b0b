/**
 * API keys for stream writes: stored only as SHA-256 hashes (secret `API_KEYS`), one record per client,
 * scoped to streams. A key is compared by hash in constant time; the key itself is never stored or logged (in
 * memory, a key that matched keeps its hash beside it until the secret is re-read, to hash it once).
 * Missing or wrong → 401; a valid key used on a stream outside its scope → 403.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Ports } from "../platform";

export const ApiKeyRecordSchema = z.object({
  client: z.string().min(1),
  /** Hex SHA-256 of the key. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256"),
  /** Stream names the key may write to, or "*" for all. */
  streams: z.array(z.string()).default([]),
  /** Whether the key may read real-time reports (`GET /v1/reports/…`), e.g. a customer portal's server. */
  reports: z.boolean().default(false),
});
export const ApiKeysSchema = z.array(ApiKeyRecordSchema);
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

/** @example hashApiKey("k") // "…64 hex chars…" — what `API_KEYS` stores */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export type Authorization = { ok: true; client: string } | { ok: false; status: 401 | 403; reason: string };

/** Secrets are re-read at most this often, so a rotated key takes effect without a deploy. */
const CACHE_MS = 5 * 60_000;
let cache: { at: number; records: StoredKey[]; source: Ports["secrets"]; presented: Map<string, Buffer> } | undefined;

/** A key record with its hash decoded once, not on every request. */
interface StoredKey {
  record: ApiKeyRecord;
  sha256: Buffer;
}

async function keyRecords(ports: Ports): Promise<StoredKey[]> {
  if (cache && cache.source === ports.secrets && Date.now() - cache.at < CACHE_MS) return cache.records;
  const raw = await ports.secrets.get("API_KEYS");
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : [];
  } catch (error) {
    throw new Error("streams: secret API_KEYS is malformed: not JSON", { cause: error });
  }
  const parsed = ApiKeysSchema.safeParse(json);
  if (!parsed.success) throw new Error(`streams: secret API_KEYS is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const records = parsed.data.map((record) => ({ record, sha256: Buffer.from(record.sha256, "hex") }));
  cache = { at: Date.now(), records, source: ports.secrets, presented: new Map() };
  return records;
}

/**
 * The SHA-256 of a presented key. Keys that matched a stored hash keep theirs until the records are re-read,
 * so a client's steady stream of requests hashes its key once; unknown keys are hashed every time and never
 * kept (they must not grow the cache). The comparison with the stored hashes stays constant-time either way.
 */
function presentedHash(apiKey: string): Buffer {
  // Not `crypto.hash`: it needs Node 20.12, and the engines field allows 20.11.
  return cache?.presented.get(apiKey) ?? createHash("sha256").update(apiKey, "utf8").digest();
}

/** The stored record of a presented key, compared by hash in constant time. */
async function keyRecordOf(ports: Ports, apiKey: string | undefined): Promise<{ ok: true; key: ApiKeyRecord } | { ok: false; status: 401; reason: string }> {
  if (!apiKey) return { ok: false, status: 401, reason: "missing x-api-key header" };
  const records = await keyRecords(ports);
  const presented = presentedHash(apiKey);
  const stored = records.find((k) => timingSafeEqual(k.sha256, presented));
  if (!stored) return { ok: false, status: 401, reason: "unknown API key" };
  cache?.presented.set(apiKey, presented);
  return { ok: true, key: stored.record };
}

/**
 * @example await authorizeReportRead(ports, req.headers["x-api-key"]) // { ok: true, client: "portal" }
 */
export async function authorizeReportRead(ports: Ports, apiKey: string | undefined): Promise<Authorization> {
  const record = await keyRecordOf(ports, apiKey);
  if (!record.ok) return record;
  if (!record.key.reports) return { ok: false, status: 403, reason: `API key of client "${record.key.client}" may not read reports` };
  return { ok: true, client: record.key.client };
}

/**
 * @example await authorizeStreamWrite(ports, req.headers["x-api-key"], "user_events") // { ok: true, client: "web" }
 */
export async function authorizeStreamWrite(ports: Ports, apiKey: string | undefined, stream: string): Promise<Authorization> {
  const record = await keyRecordOf(ports, apiKey);
  if (!record.ok) return record;
  const { key } = record;
  if (!key.streams.includes("*") && !key.streams.includes(stream)) {
    return { ok: false, status: 403, reason: `API key of client "${key.client}" may not write to stream "${stream}"` };
  }
  return { ok: true, client: key.client };
}
