/**
 * Settings of the embedded local platform, parsed once at the edge (CLI) from the environment, failing fast
 * with the variable's name. Core code receives the parsed object, never `process.env`.
 */
import { resolve } from "node:path";
import { z } from "zod";

export const LocalSettingsSchema = z.object({
  TRIBUTARY_HOME: z.string().min(1).default("./.tributary"),
  TRIBUTARY_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  TRIBUTARY_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("WARN"),
  TRIBUTARY_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  TRIBUTARY_GA_MEASUREMENT_ID: z.string().regex(/^G-[A-Z0-9]+$/, "GA4 measurement ids look like G-XXXXXXX").optional(),
  TRIBUTARY_GA_API_SECRET: z.string().min(8, "must be at least 8 characters").optional(),
  TRIBUTARY_GA_ENDPOINT: z.string().url().default("https://www.google-analytics.com"),
  TRIBUTARY_LINK_HASH_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  TRIBUTARY_TOKENISE_KEY: z.string().min(16, "must be at least 16 characters").optional(),
});

/** Development defaults, printed at startup when the variables are unset. Never use them outside loopback. */
export const DEV_API_KEY = "tributary-local-dev-key";
export const DEV_GA_API_SECRET = "tributary-local-ga-secret";
export const DEV_LINK_HASH_KEY = "tributary-local-link-hash-key";
export const DEV_TOKENISE_KEY = "tributary-local-tokenise-key";

export interface LocalSettings {
  /** Absolute path of the state directory. */
  home: string;
  port: number;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /** The stream API key; the development default when unset. */
  apiKey?: string;
  /** The GA4 measurement id accepted locally; default: the config's first. */
  gaMeasurementId?: string;
  gaApiSecret?: string;
  gaEndpoint?: string;
  /** Key of the keyed hash for hashed link keys (email); the development default when unset. */
  linkHashKey?: string;
  /** Key of silver's PII tokenisation (keyed hash); the development default when unset. */
  tokeniseKey?: string;
  /**
   * Other UPPER_SNAKE_CASE variables, where secrets named by the config live locally (a SQL Server source's
   * `connectionSecret`, e.g. BACKEND_SQLSERVER_URL). Unset → the source runs on the embedded stand-in.
   */
  secretValues?: Record<string, string>;
}

const SECRET_NAME = /^[A-Z][A-Z0-9_]+$/;

/**
 * @example parseLocalSettings({ TRIBUTARY_PORT: "9000" }).port // 9000
 */
export function parseLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  const parsed = LocalSettingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`local: invalid environment: ${problems}`);
  }
  const d = parsed.data;
  return {
    home: resolve(d.TRIBUTARY_HOME),
    port: d.TRIBUTARY_PORT,
    logLevel: d.TRIBUTARY_LOG_LEVEL,
    ...(d.TRIBUTARY_API_KEY ? { apiKey: d.TRIBUTARY_API_KEY } : {}),
    ...(d.TRIBUTARY_GA_MEASUREMENT_ID ? { gaMeasurementId: d.TRIBUTARY_GA_MEASUREMENT_ID } : {}),
    ...(d.TRIBUTARY_GA_API_SECRET ? { gaApiSecret: d.TRIBUTARY_GA_API_SECRET } : {}),
    gaEndpoint: d.TRIBUTARY_GA_ENDPOINT,
    ...(d.TRIBUTARY_LINK_HASH_KEY ? { linkHashKey: d.TRIBUTARY_LINK_HASH_KEY } : {}),
    ...(d.TRIBUTARY_TOKENISE_KEY ? { tokeniseKey: d.TRIBUTARY_TOKENISE_KEY } : {}),
    secretValues: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => SECRET_NAME.test(e[0]) && !e[0].startsWith("TRIBUTARY_") && typeof e[1] === "string" && e[1] !== ""),
    ),
  };
}

/** Where each kind of state lives under TRIBUTARY_HOME. */
export function homePaths(home: string) {
  return {
    lake: `${home}/lake`,
    queues: `${home}/queues`,
    dynamodb: `${home}/dynamodb`,
    bus: `${home}/bus`,
    state: `${home}/state`,
    sources: `${home}/sources`,
  };
}
