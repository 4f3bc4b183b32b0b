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
});

export interface LocalSettings {
  /** Absolute path of the state directory. */
  home: string;
  port: number;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
}

/**
 * @example parseLocalSettings({ TRIBUTARY_PORT: "9000" }).port // 9000
 */
export function parseLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  const parsed = LocalSettingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`local: invalid environment: ${problems}`);
  }
  return { home: resolve(parsed.data.TRIBUTARY_HOME), port: parsed.data.TRIBUTARY_PORT, logLevel: parsed.data.TRIBUTARY_LOG_LEVEL };
}

/** Where each kind of state lives under TRIBUTARY_HOME. */
export function homePaths(home: string) {
  return {
    lake: `${home}/lake`,
    queues: `${home}/queues`,
    dynamodb: `${home}/dynamodb`,
    bus: `${home}/bus`,
    state: `${home}/state`,
  };
}
