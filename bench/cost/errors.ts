/** Errors of the cost model: bad inputs to the arithmetic, or a measurement that came out wrong. */

export class CostModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CostModelError";
  }
}

/** A number the arithmetic cannot use (negative, NaN, infinite, or zero where a divisor is needed). */
export class InvalidCostInputError extends CostModelError {
  constructor(
    readonly input: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`cost: ${input} must be ${expected}, got ${String(value)}`);
    this.name = "InvalidCostInputError";
  }
}

/** A measurement that did not do what it was meant to (a handler failed, counts that do not reconcile). */
export class MeasurementError extends CostModelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MeasurementError";
  }
}
