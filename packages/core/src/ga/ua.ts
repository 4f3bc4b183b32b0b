/**
 * Universal Analytics v1 hits (`/collect`, parameters in the query string or an x-www-form-urlencoded body).
 * UA no longer processes data, so a hit is checked for the protocol's required parameters, stripped of PII and
 * kept raw; where a GA4 equivalent exists it is mapped (`ua-to-ga4.ts`).
 * Reference: Measurement Protocol (UA) parameter reference — `v`, `tid`, `t`, and `cid` or `uid` are required.
 */
import { containsPii, redactCounting } from "./privacy";
import { showValue, type GaProblem } from "./problems";

export const UA_HIT_TYPES = ["pageview", "screenview", "event", "transaction", "item", "social", "exception", "timing"] as const;
export type UaHitType = (typeof UA_HIT_TYPES)[number];

/** UA refused payloads over 8 kB; checked by the HTTP layer on the bytes received. */
export const UA_MAX_PAYLOAD_BYTES = 8192;

const UA_PROPERTY_ID = /^UA-\d+-\d+$/;
/**
 * Parameters never redacted: protocol fields and consent strings (passed through unchanged), plus `uid`,
 * which is dropped whole rather than redacted. Every other value — `dl`, `dr`, `dp`, `dt`, `ec`/`ea`/`el`,
 * custom dimensions `cd<n>`, `exd`, campaign fields, even `cid` — goes through `redactPii`, which leaves ids alone.
 */
const NOT_REDACTED = new Set(["v", "tid", "t", "qt", "z", "gcs", "gcd", "uid"]);

export type UaHitParse =
  | { ok: true; hit: Record<string, string>; redactions: number; droppedUserId: boolean }
  | { ok: false; problems: GaProblem[] };

/**
 * Checks a UA hit and returns its parameters as an object, PII removed. A `uid` holding an email or phone
 * number is dropped (the hit is still kept, identified by `cid` if it has one). Consent (`gcs`, `gcd`) passes through.
 *
 * @example
 * parseUaHit(new URLSearchParams("v=1&tid=UA-123456-1&cid=555.1&t=pageview&dl=https%3A%2F%2Fshop.test%2F%3Fe%3Dann%2540example.com"));
 * // { ok: true, hit: { v: "1", tid: "UA-123456-1", cid: "555.1", t: "pageview", dl: "https://shop.test/?e=[redacted]" }, redactions: 1, droppedUserId: false }
 */
export function parseUaHit(params: URLSearchParams): UaHitParse {
  const problems: GaProblem[] = [];
  // A Map, not an object: a parameter called `__proto__` must stay a parameter.
  const raw = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const [key, value] of params) {
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (!raw.has(key)) raw.set(key, value);
  }
  for (const [key, count] of seen) {
    if (count > 1) problems.push({ path: key, reason: `given ${count} times; send each parameter once` });
  }
  const [v, tid, t, cid, uid, qt] = ["v", "tid", "t", "cid", "uid", "qt"].map((key) => raw.get(key));
  if (v === undefined) problems.push({ path: "v", reason: 'required (the protocol version, always "1")' });
  else if (v !== "1") problems.push({ path: "v", reason: `expected "1", got ${showValue(v)}` });
  if (tid === undefined) problems.push({ path: "tid", reason: "required (the property id, e.g. UA-12345-1)" });
  else if (!UA_PROPERTY_ID.test(tid)) {
    const hint = tid.startsWith("G-") ? "; GA4 measurement ids go to /mp/collect" : "";
    problems.push({ path: "tid", reason: `expected a Universal Analytics property id like UA-12345-1, got ${showValue(tid)}${hint}` });
  }
  if (t === undefined) problems.push({ path: "t", reason: `required (one of ${UA_HIT_TYPES.join(", ")})` });
  else if (!(UA_HIT_TYPES as readonly string[]).includes(t)) problems.push({ path: "t", reason: `expected one of ${UA_HIT_TYPES.join(", ")}, got ${showValue(t)}` });
  if (!cid && !uid) problems.push({ path: "cid", reason: "required (the client id; or uid, the user id)" });
  if (qt !== undefined && !/^\d+$/.test(qt)) problems.push({ path: "qt", reason: `expected whole milliseconds of queue time, got ${showValue(qt)}` });
  if (problems.length > 0) return { ok: false, problems };

  let redactions = 0;
  const droppedUserId = uid !== undefined && containsPii(uid);
  const entries: [string, string][] = [];
  for (const [key, value] of raw) {
    if (key === "uid" && droppedUserId) continue;
    if (NOT_REDACTED.has(key)) entries.push([key, value]);
    else {
      const clean = redactCounting(value);
      redactions += clean.redactions;
      entries.push([key, clean.value]);
    }
  }
  return { ok: true, hit: Object.fromEntries(entries), redactions, droppedUserId };
}
