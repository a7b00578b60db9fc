// A whole model's monitored inputs: one accumulator per profiled feature plus one for the
// prediction, and the dataset-level verdict: drift when the share of drifted features
// (among those with enough live values) reaches datasetDriftShare. Prediction drift is
// reported beside the features and does not count towards the share.
import { CategoricalAccumulator, CategoricalReference } from "./categorical-accumulator.ts";
import { AccumulatorMismatchError } from "./errors.ts";
import { DEFAULT_DRIFT_CONFIG, evaluateCategorical, evaluateNumeric, type DriftConfig, type FeatureDrift } from "./feature-drift.ts";
import { NumericAccumulator, NumericReference } from "./numeric-accumulator.ts";
import type { ReferenceProfile } from "./reference-profile.ts";

export type FeatureReference = NumericReference | CategoricalReference;
export type FeatureAccumulator = NumericAccumulator | CategoricalAccumulator;
export type FeatureValue = number | string | boolean | null | undefined;

/** Lookup tables for every feature of a profile; build once per model version. */
export class DatasetReference {
  readonly features: ReadonlyMap<string, FeatureReference>;
  readonly prediction: NumericReference;

  constructor(readonly profile: ReferenceProfile) {
    const features = new Map<string, FeatureReference>();
    for (const [name, p] of Object.entries(profile.features)) {
      features.set(name, p.kind === "numeric" ? new NumericReference(name, p) : new CategoricalReference(name, p));
    }
    this.features = features;
    this.prediction = new NumericReference("prediction", profile.prediction);
  }

  createAccumulator(): DatasetAccumulator {
    return new DatasetAccumulator(this);
  }
}

export function createFeatureAccumulator(reference: FeatureReference): FeatureAccumulator {
  return reference.kind === "numeric" ? new NumericAccumulator(reference) : new CategoricalAccumulator(reference);
}

export class DatasetAccumulator {
  readonly features: ReadonlyMap<string, FeatureAccumulator>;
  readonly prediction: NumericAccumulator;
  rows = 0;

  constructor(readonly reference: DatasetReference) {
    const features = new Map<string, FeatureAccumulator>();
    for (const [name, ref] of reference.features) features.set(name, createFeatureAccumulator(ref));
    this.features = features;
    this.prediction = new NumericAccumulator(reference.prediction);
  }

  /**
   * Adds one scored row. Features of the profile absent from `values` count as missing;
   * keys the profile does not know are ignored (they are not monitored).
   */
  add(values: Readonly<Record<string, FeatureValue>>, prediction?: number | null): void {
    for (const [name, acc] of this.features) {
      const v = values[name];
      if (acc.kind === "numeric") acc.add(typeof v === "number" ? v : v === null || v === undefined ? null : Number(v));
      else acc.add(v);
    }
    if (prediction !== undefined) this.prediction.add(prediction);
    this.rows += 1;
  }

  merge(other: DatasetAccumulator): void {
    if (other.reference !== this.reference) {
      throw new AccumulatorMismatchError("dataset", "cannot merge accumulators of different reference profiles");
    }
    for (const [name, acc] of this.features) {
      const o = other.features.get(name) as FeatureAccumulator;
      if (acc.kind === "numeric" && o.kind === "numeric") acc.merge(o);
      else if (acc.kind === "categorical" && o.kind === "categorical") acc.merge(o);
    }
    this.prediction.merge(other.prediction);
    this.rows += other.rows;
  }

  /** Bytes of per-window state over all features and the prediction. */
  get stateBytes(): number {
    let bytes = this.prediction.stateBytes;
    for (const acc of this.features.values()) bytes += acc.stateBytes;
    return bytes;
  }
}

export interface DatasetDrift {
  rows: number;
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  evaluatedFeatures: number;
  driftedFeatures: number;
  /** driftedFeatures / evaluatedFeatures (0 when nothing could be evaluated). */
  driftedShare: number;
  drifted: boolean;
}

export function evaluateFeature(acc: FeatureAccumulator, config: DriftConfig = DEFAULT_DRIFT_CONFIG): FeatureDrift | undefined {
  return acc.kind === "numeric" ? evaluateNumeric(acc, config) : evaluateCategorical(acc, config);
}

export function evaluateDataset(acc: DatasetAccumulator, config: DriftConfig = DEFAULT_DRIFT_CONFIG): DatasetDrift {
  const features: FeatureDrift[] = [];
  for (const f of acc.features.values()) {
    const drift = evaluateFeature(f, config);
    if (drift) features.push(drift);
  }
  const driftedFeatures = features.filter((f) => f.drifted).length;
  const evaluatedFeatures = features.length;
  const driftedShare = evaluatedFeatures === 0 ? 0 : driftedFeatures / evaluatedFeatures;
  const prediction = evaluateNumeric(acc.prediction, config);
  return {
    rows: acc.rows,
    features,
    ...(prediction ? { prediction } : {}),
    evaluatedFeatures,
    driftedFeatures,
    driftedShare,
    drifted: evaluatedFeatures > 0 && driftedShare >= config.datasetDriftShare,
  };
}
