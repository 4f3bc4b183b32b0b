/**
 * Secrets of the local platform, from the environment (TRIBUTARY_API_KEY, TRIBUTARY_GA_MEASUREMENT_ID,
 * TRIBUTARY_GA_API_SECRET) with printed development defaults. They take the same shape as the SST secrets on
 * AWS: API_KEYS holds key *hashes* with their scopes, GA_API_SECRETS maps measurement ids to api secrets.
 */
import type { TributaryConfig } from "../config";
import type { SecretsPort } from "../platform";
import { hashApiKey, type ApiKeyRecord } from "../streams/api-keys";
import { DEV_API_KEY, DEV_GA_API_SECRET, DEV_LINK_HASH_KEY, DEV_TOKENISE_KEY, type LocalSettings } from "./settings";

export interface LocalCredentials {
  apiKey: string;
  gaMeasurementId?: string;
  gaApiSecret: string;
  linkHashKey: string;
  tokeniseKey: string;
  /** Lines for the startup banner; values shown only when they are the development defaults. */
  describe(): string[];
}

export function localCredentials(settings: LocalSettings, config: TributaryConfig): LocalCredentials {
  const apiKey = settings.apiKey ?? DEV_API_KEY;
  const gaMeasurementId = settings.gaMeasurementId ?? config.ga?.measurementIds[0];
  const gaApiSecret = settings.gaApiSecret ?? DEV_GA_API_SECRET;
  const linkHashKey = settings.linkHashKey ?? DEV_LINK_HASH_KEY;
  const tokeniseKey = settings.tokeniseKey ?? DEV_TOKENISE_KEY;
  const shown = (value: string, fromEnv: boolean) => (fromEnv ? "(from environment)" : `${value}  (development default)`);
  return {
    apiKey,
    ...(gaMeasurementId ? { gaMeasurementId } : {}),
    gaApiSecret,
    linkHashKey,
    tokeniseKey,
    describe: () => [
      `  api key   x-api-key: ${shown(apiKey, settings.apiKey !== undefined)}`,
      ...(gaMeasurementId ? [`  ga4       measurement_id=${gaMeasurementId} api_secret=${shown(gaApiSecret, settings.gaApiSecret !== undefined)}`] : []),
      `  keys      link hash (emails in link tables), tokenise (PII in silver): ${settings.linkHashKey !== undefined && settings.tokeniseKey !== undefined ? "from environment" : "development defaults where unset"}`,
    ],
  };
}

export function localSecrets(credentials: LocalCredentials, secretValues: Record<string, string> = {}): SecretsPort {
  const apiKeys: ApiKeyRecord[] = [{ client: "local", sha256: hashApiKey(credentials.apiKey), streams: ["*"], reports: true }];
  const gaSecrets = credentials.gaMeasurementId ? { [credentials.gaMeasurementId]: credentials.gaApiSecret } : {};
  const values: Record<string, string> = { ...secretValues, API_KEYS: JSON.stringify(apiKeys), GA_API_SECRETS: JSON.stringify(gaSecrets), LINK_HASH_KEY: credentials.linkHashKey, TOKENISE_KEY: credentials.tokeniseKey };
  return { get: async (name) => values[name] };
}
