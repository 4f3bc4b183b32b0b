/** The problems `parseConfig` names for an invalid config (and a failure when it accepts it). */
import { InvalidConfigError, parseConfig } from "@tributary/core/config";

export function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be refused");
}
