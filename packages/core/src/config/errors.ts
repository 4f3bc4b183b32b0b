/** Errors of the config domain. Messages start with `config:` and name the offending path or value. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** The config failed validation; `problems` holds one `path: message` line per issue. */
export class InvalidConfigError extends ConfigError {
  constructor(readonly problems: string[], origin: string) {
    super(`config: ${origin} is invalid:\n  - ${problems.join("\n  - ")}`);
    this.name = "InvalidConfigError";
  }
}

export class UnknownDatasetError extends ConfigError {
  constructor(readonly dataset: string, known: string[]) {
    super(`config: no dataset named "${dataset}" (declared: ${known.join(", ") || "none"})`);
    this.name = "UnknownDatasetError";
  }
}
