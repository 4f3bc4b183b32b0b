/** Errors of the ops domain (platform status, workflow run records). Messages start with `ops:` and carry the bad value. */
export class OpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OpsError";
  }
}

/** A stored workflow run record that does not parse: reported with its key, never guessed at. */
export class InvalidWorkflowRunError extends OpsError {
  constructor(readonly key: string, reason: string, options?: { cause?: unknown }) {
    super(`ops: ${key} is not a valid workflow run record: ${reason}`, options);
    this.name = "InvalidWorkflowRunError";
  }
}

/** Writing a run record failed; the run itself may have done its work (the message says how it ended). */
export class WorkflowRunRecordError extends OpsError {
  constructor(readonly key: string, what: string, options?: { cause?: unknown }) {
    super(`ops: could not record ${what} at ${key}`, options);
    this.name = "WorkflowRunRecordError";
  }
}

/** An option of a status or run-record call outside what it accepts (e.g. a negative number of runs). */
export class InvalidOpsOptionError extends OpsError {
  constructor(readonly option: string, readonly value: unknown, rule: string) {
    super(`ops: option ${option} ${JSON.stringify(value)} is invalid (${rule})`);
    this.name = "InvalidOpsOptionError";
  }
}
