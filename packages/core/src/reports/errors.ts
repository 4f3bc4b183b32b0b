/** Errors of the reports domain. Messages start with `reports:` and carry the value that was wrong. */
export class ReportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReportError";
  }
}

/** A bronze value the report cannot read (a time that is not a time, an amount that is not a decimal). */
export class ReportValueError extends ReportError {
  constructor(dataset: string, column: string, value: unknown, expected: string) {
    super(`reports: ${dataset}.${column}: ${JSON.stringify(value)} is not ${expected}`);
    this.name = "ReportValueError";
  }
}
