/** The GA4 api secrets per measurement id (secret `GA_API_SECRETS`, a JSON object); empty when unset. */
import type { Ports } from "../platform";

/** The last secret text read and what it parsed to: each hit reads the secret, which rarely changes. */
let parsed: { raw: string; secrets: Record<string, string> } | undefined;

/** @example await gaApiSecrets(ports) // { "G-TEST123": "s3cr3t" } */
export async function gaApiSecrets(ports: Ports): Promise<Record<string, string>> {
  const raw = await ports.secrets.get("GA_API_SECRETS");
  if (!raw) return {};
  if (parsed?.raw !== raw) parsed = { raw, secrets: JSON.parse(raw) as Record<string, string> };
  return parsed.secrets;
}
