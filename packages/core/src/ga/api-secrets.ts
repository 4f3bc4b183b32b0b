/** The GA4 api secrets per measurement id (secret `GA_API_SECRETS`, a JSON object); empty when unset. */
import type { Ports } from "../platform";

export async function gaApiSecrets(ports: Ports): Promise<Record<string, string>> {
  const raw = await ports.secrets.get("GA_API_SECRETS");
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}
