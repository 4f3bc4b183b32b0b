/**
 * Errors of forwarding GA hits to Google; messages start with `ga:` and name the hit and measurement id.
 * `permanent` tells the caller what to do with the queue message: permanent → dead-letter queue now (retrying cannot
 * help), otherwise → report a batch item failure so SQS redelivers it later.
 * No message ever carries an API secret.
 */
export class GaForwardError extends Error {
  /** True when sending the same hit again cannot succeed without someone changing the hit or the configuration. */
  readonly permanent: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GaForwardError";
  }
}

/** Google answered a 4xx other than 429: the request itself is wrong, so it goes to the DLQ instead of looping. */
export class GaForwardRejectedError extends GaForwardError {
  override readonly permanent = true;

  constructor(
    readonly hitId: string,
    readonly measurementId: string,
    readonly status: number,
    /** The start of Google's answer, for the DLQ record. */
    readonly responseExcerpt: string,
  ) {
    super(`ga: Google rejected hit ${hitId} for ${measurementId} with HTTP ${status}${responseExcerpt ? `: ${responseExcerpt}` : ""}`);
    this.name = "GaForwardRejectedError";
  }
}

/** Every attempt failed with a transient error (network, timeout, 5xx, 429): SQS should redeliver the hit later. */
export class GaForwardRetryableError extends GaForwardError {
  constructor(readonly hitId: string, readonly measurementId: string, readonly attempts: number, options: { cause: unknown }) {
    super(`ga: forwarding hit ${hitId} to ${measurementId} still failing after ${attempts} attempts: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = "GaForwardRetryableError";
  }
}

/** No Measurement Protocol API secret is configured for the measurement id the hit goes to. */
export class GaApiSecretMissingError extends GaForwardError {
  override readonly permanent = true;

  constructor(readonly hitId: string, readonly measurementId: string) {
    super(`ga: no Measurement Protocol API secret is configured for measurement id ${measurementId} (hit ${hitId}); add one for this id or remove it from ga.measurementIds / ga.uaForwardTo`);
    this.name = "GaApiSecretMissingError";
  }
}

/** The hit breaks an invariant the proxy guarantees (≤25 events, body under 130 kB, one event id per event, a valid receivedAt). */
export class GaForwardPayloadError extends GaForwardError {
  override readonly permanent = true;

  constructor(readonly hitId: string, reason: string) {
    super(`ga: hit ${hitId} cannot be forwarded: ${reason}`);
    this.name = "GaForwardPayloadError";
  }
}

/** One attempt failed in a way worth retrying. Internal to a forward: callers see `GaForwardRetryableError`. */
export class GaForwardAttemptError extends GaForwardError {
  constructor(
    message: string,
    /** Google's HTTP status; undefined for network errors and timeouts. */
    readonly status: number | undefined,
    /** What Google's `Retry-After` header asked for, in ms. */
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GaForwardAttemptError";
  }
}
