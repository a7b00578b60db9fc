// Typed errors of the drift area. None is retriable: each one names an input or a
// configuration that will fail the same way on every attempt.
import { EdgeflowError } from "../../schemas/index.ts";

/** A statistic was asked of inputs it is not defined for (empty sample, mismatched lengths). */
export class StatisticInputError extends EdgeflowError {
  constructor(statistic: string, reason: string) {
    super("DRIFT_STATISTIC_INPUT", `${statistic}: ${reason}`);
  }
}

/** A window specification that cannot describe event-time windows (size ≤ 0, slide > size…). */
export class WindowSpecError extends EdgeflowError {
  constructor(reason: string) {
    super("DRIFT_WINDOW_SPEC", `window spec: ${reason}`);
  }
}

/** Two accumulators built on different reference profiles (or kinds) cannot be merged. */
export class AccumulatorMismatchError extends EdgeflowError {
  constructor(feature: string, reason: string) {
    super("DRIFT_ACCUMULATOR_MISMATCH", `${feature}: ${reason}`);
  }
}

/** An accumulator would exceed the count it can hold exactly; refused rather than wrapped. */
export class AccumulatorOverflowError extends EdgeflowError {
  constructor(feature: string, limit: number) {
    super("DRIFT_ACCUMULATOR_OVERFLOW", `${feature}: more than ${limit} values in one accumulator`);
  }
}
