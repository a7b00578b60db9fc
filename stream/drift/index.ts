// Drift monitoring core: pure statistics (matching scipy), the reference profile contract,
// bounded-memory accumulators and event-time windows. The processor and InfluxDB sink wire
// these to a runtime; nothing here does I/O or reads a clock.
export * from "./errors.ts";
export { logGamma, gammaincLower, gammaincUpper, chiSquareSurvival } from "./gamma-functions.ts";
export { smirnovSurvival } from "./smirnov-distribution.ts";
export { kolmogorovSmirnovSurvival, kolmogorovLimitSurvival } from "./kolmogorov-distribution.ts";
export { ks2samp, ksTwoSamplePValue, KS_MAX_EXACT_N, type KsResult } from "./ks.ts";
export { psi, PSI_EMPTY_BIN_SHARE } from "./psi.ts";
export { chiSquare, expectedFromShares, type ChiSquareResult } from "./chi-square.ts";
export { jensenShannonDistance } from "./jensen-shannon.ts";
export { wassersteinDistance } from "./wasserstein.ts";
export * from "./reference-profile.ts";
export { NumericReference, NumericAccumulator } from "./numeric-accumulator.ts";
export { numericKs, numericWasserstein, numericPsi, numericJensenShannon, type WassersteinEstimate } from "./numeric-drift.ts";
export {
  CategoricalReference,
  CategoricalAccumulator,
  OTHER_PSEUDO_COUNT,
  UNSEEN_EXAMPLES_MAX,
  categoricalChiSquare,
  categoricalJensenShannon,
  categoricalPsi,
} from "./categorical-accumulator.ts";
export * from "./feature-drift.ts";
export * from "./dataset-drift.ts";
export * from "./window.ts";
