/**
 * PII treatments as DuckDB SQL, so silver is built in one pass with no row crossing into JavaScript:
 * - tokenise: HMAC-SHA256 with the secret TOKENISE_KEY, as lower-case hex. DuckDB has `sha256` but no HMAC, so the
 *   key's inner and outer pads are computed here and HMAC is spelled out: H((K⊕opad) ‖ H((K⊕ipad) ‖ m)) (RFC 2104).
 *   Equal values give equal tokens, so tokenised columns still join and count distinct.
 * - mask: the first character, then one `*` per remaining character (`Ann` → `A**`).
 * - drop: the column is left out of silver.
 */
import { createHash } from "node:crypto";
import { sqlIdent } from "../lake/sql-text";


/** The SQL of `HMAC-SHA256(key, CAST(column AS VARCHAR))` as hex, NULL for NULL. */
export function tokenSql(column: string, key: string): string {
  let block = Buffer.from(key, "utf8");
  if (block.length > 64) block = createHash("sha256").update(block).digest();
  const padded = Buffer.alloc(64);
  block.copy(padded);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36)).toString("hex");
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c)).toString("hex");
  const value = `CAST(${sqlIdent(column)} AS VARCHAR)`;
  return `CASE WHEN ${sqlIdent(column)} IS NULL THEN NULL ELSE sha256(unhex('${opad}') || unhex(sha256(unhex('${ipad}') || encode(${value})))) END`;
}

/** The SQL of the masked value (`Ann Example` → `A**********`), NULL for NULL. */
export function maskSql(column: string): string {
  const value = `CAST(${sqlIdent(column)} AS VARCHAR)`;
  return `CASE WHEN ${sqlIdent(column)} IS NULL THEN NULL ELSE left(${value}, 1) || repeat('*', greatest(length(${value}) - 1, 0)) END`;
}
