/** Errors of the GA domain; messages start with `ga:` and carry the bad value. */
import { describeGaProblems, type GaProblem } from "./problems";

export class GaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GaError";
  }
}

/** The request as a whole is unusable (not JSON, too large, wrong content type); `status` is the HTTP answer. */
export class GaBadRequestError extends GaError {
  constructor(readonly status: 400 | 413 | 415, message: string, options?: { cause?: unknown }) {
    super(`ga: ${message}`, options);
    this.name = "GaBadRequestError";
  }
}

/** A hit broke the Measurement Protocol rules; `problems` lists each one by path. */
export class InvalidGaHitError extends GaError {
  constructor(readonly problems: GaProblem[]) {
    super(`ga: the hit is invalid: ${describeGaProblems(problems)}`);
    this.name = "InvalidGaHitError";
  }
}

/** A measurement id (or UA property id) the config does not declare under `ga`. */
export class UnknownMeasurementIdError extends GaError {
  constructor(readonly measurementId: string, known: readonly string[]) {
    super(`ga: measurement id "${measurementId}" is not declared in ga.measurementIds / ga.uaPropertyIds (declared: ${known.join(", ") || "none"})`);
    this.name = "UnknownMeasurementIdError";
  }
}

/** A browser origin not listed in `ga.allowedOrigins`. */
export class OriginNotAllowedError extends GaError {
  constructor(readonly origin: string, allowed: readonly string[]) {
    super(`ga: origin "${origin}" is not in ga.allowedOrigins (allowed: ${allowed.join(", ") || "none: server-to-server only"})`);
    this.name = "OriginNotAllowedError";
  }
}

/** Something that must be a GA4 measurement id (`G-…`) is not, e.g. a UA `tid` passed where the GA4 target belongs. */
export class InvalidMeasurementIdError extends GaError {
  constructor(readonly measurementId: string) {
    super(`ga: "${measurementId}" is not a GA4 measurement id (expected G-XXXXXXX)`);
    this.name = "InvalidMeasurementIdError";
  }
}

/** A kept hit does not hold together (e.g. its event ids do not line up with its events); a bug upstream, never user input. */
export class GaHitShapeError extends GaError {
  constructor(readonly hitId: string, detail: string) {
    super(`ga: hit ${hitId} is malformed: ${detail}`);
    this.name = "GaHitShapeError";
  }
}
