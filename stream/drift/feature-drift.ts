// Per-feature drift verdicts: every statistic of a feature's kind, each with its own
// threshold, and one "deciding" method whose verdict is the feature's. Defaults follow
// Evidently's: with few live values (≤ 1000) the tests (KS, χ²) decide; with more, tests
// flag negligible shifts as significant, so the distances (normalised Wasserstein,
// Jensen–Shannon) decide.
import { z } from "zod";
import { categoricalChiSquare, categoricalJensenShannon, categoricalPsi } from "./categorical-accumulator.ts";
import type { CategoricalAccumulator } from "./categorical-accumulator.ts";
import type { NumericAccumulator } from "./numeric-accumulator.ts";
import { numericJensenShannon, numericKs, numericPsi, numericWasserstein } from "./numeric-drift.ts";

export const DriftMethod = z.enum(["psi", "ks", "chisquare", "jensenshannon", "wasserstein"]);
export type DriftMethod = z.infer<typeof DriftMethod>;

export const DriftThresholds = z.object({
  /** Drifted when PSI ≥ this. */
  psi: z.number().positive().default(0.2),
  /** Drifted when the KS p-value < this. */
  ksPValue: z.number().gt(0).lt(1).default(0.05),
  /** Drifted when the χ² p-value < this. */
  chiSquarePValue: z.number().gt(0).lt(1).default(0.05),
  /** Drifted when the Jensen–Shannon distance ≥ this. */
  jensenShannon: z.number().positive().default(0.1),
  /** Drifted when Wasserstein-1 / reference std ≥ this. */
  wasserstein: z.number().positive().default(0.1),
});
export type DriftThresholds = z.infer<typeof DriftThresholds>;

export const DriftConfig = z.object({
  thresholds: DriftThresholds.prefault({}),
  /** Method deciding a numeric feature; "auto": KS up to autoSampleSize live values, else Wasserstein. */
  numericMethod: z.enum(["auto", "ks", "psi", "wasserstein", "jensenshannon"]).default("auto"),
  /** Method deciding a categorical feature; "auto": χ² up to autoSampleSize, else Jensen–Shannon. */
  categoricalMethod: z.enum(["auto", "chisquare", "psi", "jensenshannon"]).default("auto"),
  autoSampleSize: z.number().int().positive().default(1000),
  /** Dataset drift when the share of drifted features ≥ this. */
  datasetDriftShare: z.number().gt(0).max(1).default(0.5),
  /** Features with fewer live values than this in a window are not judged. */
  minCount: z.number().int().positive().default(1),
});
export type DriftConfig = z.infer<typeof DriftConfig>;
export type DriftConfigInput = z.input<typeof DriftConfig>;

export const DEFAULT_DRIFT_CONFIG: DriftConfig = DriftConfig.parse({});

export interface DriftResult {
  feature: string;
  method: DriftMethod;
  /** PSI, KS D, χ² statistic, JS distance, or Wasserstein-1 divided by the reference std. */
  value: number;
  pValue?: number;
  drifted: boolean;
  /** Wasserstein only: |value − exact value on the raw window| ≤ errorBound (same units as value). */
  errorBound?: number;
}

export interface FeatureDrift {
  feature: string;
  kind: "numeric" | "categorical";
  count: number;
  missing: number;
  /** The method whose verdict is the feature's. */
  method: DriftMethod;
  drifted: boolean;
  results: DriftResult[];
}

function verdict(method: DriftMethod, value: number, pValue: number | undefined, t: DriftThresholds): boolean {
  switch (method) {
    case "psi":
      return value >= t.psi;
    case "ks":
      return (pValue as number) < t.ksPValue;
    case "chisquare":
      return (pValue as number) < t.chiSquarePValue;
    case "jensenshannon":
      return value >= t.jensenShannon;
    case "wasserstein":
      return value >= t.wasserstein;
  }
}

function result(feature: string, method: DriftMethod, value: number, t: DriftThresholds, extra: Partial<DriftResult> = {}): DriftResult {
  return { feature, method, value, ...extra, drifted: verdict(method, value, extra.pValue, t) };
}

/** All numeric statistics; undefined when the window holds fewer than minCount values. */
export function evaluateNumeric(acc: NumericAccumulator, config: DriftConfig = DEFAULT_DRIFT_CONFIG): FeatureDrift | undefined {
  if (acc.count < config.minCount) return undefined;
  const feature = acc.reference.feature;
  const t = config.thresholds;
  const ks = numericKs(acc);
  const w = numericWasserstein(acc);
  const std = acc.reference.std > 0 ? acc.reference.std : 1;
  const results = [
    result(feature, "ks", ks.statistic, t, { pValue: ks.pValue }),
    result(feature, "wasserstein", w.distance / std, t, { errorBound: w.errorBound / std }),
    result(feature, "psi", numericPsi(acc), t),
    result(feature, "jensenshannon", numericJensenShannon(acc), t),
  ];
  const method: DriftMethod =
    config.numericMethod === "auto" ? (acc.count <= config.autoSampleSize ? "ks" : "wasserstein") : config.numericMethod;
  return decide(feature, "numeric", acc.count, acc.missing, method, results);
}

export function evaluateCategorical(
  acc: CategoricalAccumulator,
  config: DriftConfig = DEFAULT_DRIFT_CONFIG,
): FeatureDrift | undefined {
  if (acc.count < config.minCount) return undefined;
  const feature = acc.reference.feature;
  const t = config.thresholds;
  const chi = categoricalChiSquare(acc);
  const results = [
    result(feature, "chisquare", chi.statistic, t, { pValue: chi.pValue }),
    result(feature, "jensenshannon", categoricalJensenShannon(acc), t),
    result(feature, "psi", categoricalPsi(acc), t),
  ];
  const method: DriftMethod =
    config.categoricalMethod === "auto"
      ? acc.count <= config.autoSampleSize
        ? "chisquare"
        : "jensenshannon"
      : config.categoricalMethod;
  return decide(feature, "categorical", acc.count, acc.missing, method, results);
}

function decide(
  feature: string,
  kind: FeatureDrift["kind"],
  count: number,
  missing: number,
  method: DriftMethod,
  results: DriftResult[],
): FeatureDrift {
  const deciding = results.find((r) => r.method === method) as DriftResult;
  return { feature, kind, count, missing, method, drifted: deciding.drifted, results };
}
