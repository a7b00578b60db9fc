import { describe, expect, it } from "vitest";
import {
  DatasetReference,
  DriftConfig,
  evaluateDataset,
  evaluateNumeric,
  NumericAccumulator,
  NumericReference,
  type NumericProfile,
  type ReferenceProfile,
} from "../../../stream/drift/index.ts";
import { decileProfile, normal, seeded } from "../../integration/drift/samples.ts";

const rand = seeded(11);

function numericProfile(values: number[]): NumericProfile {
  const { edges, binCounts } = decileProfile(values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return {
    kind: "numeric", n: values.length, missing: 0, mean, std,
    min: edges[0] as number, max: edges[edges.length - 1] as number,
    quantileEdges: edges, binCounts, sample: values.slice(0, 2000),
  };
}

const profile: ReferenceProfile = {
  schemaVersion: 1,
  featureSpecHash: "h",
  rows: 10_000,
  features: {
    a: numericProfile(normal(rand, 10_000)),
    b: numericProfile(normal(rand, 10_000, 5, 2)),
    c: { kind: "categorical", n: 10_000, missing: 0, frequencies: { x: 5000, y: 5000 } },
    d: numericProfile(normal(rand, 10_000, 100, 10)),
  },
  prediction: numericProfile(normal(rand, 10_000, 50, 5)),
  emptyFeatures: [],
};
const reference = new DatasetReference(profile);

describe("feature drift", () => {
  it("reports every method with its default threshold; KS decides up to 1000 values, Wasserstein above", () => {
    const ref = reference.features.get("a") as NumericReference;
    const small = new NumericAccumulator(ref);
    for (const v of normal(rand, 500, 0.5)) small.add(v);
    const s = evaluateNumeric(small);
    expect(s?.method).toBe("ks");
    expect(s?.results.map((r) => r.method)).toEqual(["ks", "wasserstein", "psi", "jensenshannon"]);
    const ks = s?.results[0];
    expect(ks?.drifted).toBe((ks?.pValue as number) < 0.05);
    expect(s?.drifted).toBe(true);

    const large = new NumericAccumulator(ref);
    for (const v of normal(rand, 5000, 0.02)) large.add(v);
    const l = evaluateNumeric(large);
    expect(l?.method).toBe("wasserstein");
    const w = l?.results.find((r) => r.method === "wasserstein");
    expect(w?.value).toBeLessThan(0.1);
    expect(l?.drifted).toBe(false);
  });

  it("honours configured thresholds and a fixed deciding method", () => {
    const ref = reference.features.get("a") as NumericReference;
    const acc = new NumericAccumulator(ref);
    for (const v of normal(rand, 5000, 0.15)) acc.add(v);
    const strict = DriftConfig.parse({ numericMethod: "psi", thresholds: { psi: 0.01 } });
    const verdict = evaluateNumeric(acc, strict);
    expect(verdict?.method).toBe("psi");
    expect(verdict?.drifted).toBe((verdict?.results.find((r) => r.method === "psi")?.value as number) >= 0.01);
    expect(strict.thresholds.ksPValue).toBe(0.05);
  });

  it("does not judge a feature with fewer live values than minCount", () => {
    const acc = new NumericAccumulator(reference.features.get("a") as NumericReference);
    acc.add(1);
    expect(evaluateNumeric(acc, DriftConfig.parse({ minCount: 30 }))).toBeUndefined();
  });
});

describe("dataset drift", () => {
  it("flags the dataset when the share of drifted features reaches 0.5, prediction reported apart", () => {
    const acc = reference.createAccumulator();
    const shifted = normal(rand, 3000, 1); // a drifts by one std
    const bValues = normal(rand, 3000, 5, 2);
    const dValues = normal(rand, 3000, 130, 10); // d drifts by three std
    for (let i = 0; i < 3000; i++) {
      acc.add({ a: shifted[i], b: bValues[i], c: i % 2 ? "x" : "y", d: dValues[i], extra: "ignored" }, 50);
    }
    const drift = evaluateDataset(acc);
    expect(drift.features.map((f) => [f.feature, f.drifted])).toEqual([
      ["a", true],
      ["b", false],
      ["c", false],
      ["d", true],
    ]);
    expect(drift.driftedShare).toBe(0.5);
    expect(drift.drifted).toBe(true);
    expect(drift.prediction?.drifted).toBe(true); // constant 50 against N(50, 5)
    expect(drift.rows).toBe(3000);
    expect(evaluateDataset(acc, DriftConfig.parse({ datasetDriftShare: 0.75 })).drifted).toBe(false);
  });

  it("counts an absent feature as missing and leaves it out of the share when it has no values", () => {
    const acc = reference.createAccumulator();
    for (let i = 0; i < 100; i++) acc.add({ a: 0, b: 5, c: "x" });
    const drift = evaluateDataset(acc);
    expect(drift.evaluatedFeatures).toBe(3);
    expect(acc.features.get("d")?.missing).toBe(100);
    expect(drift.prediction).toBeUndefined();
  });

  it("merges per-pane dataset accumulators and keeps state per feature within 64 KiB", () => {
    const a = reference.createAccumulator();
    const b = reference.createAccumulator();
    a.add({ a: 1, b: 2, c: "x", d: 100 }, 49);
    b.add({ a: 2, b: 3, c: "z", d: 101 }, 51);
    a.merge(b);
    expect(a.rows).toBe(2);
    expect(a.prediction.count).toBe(2);
    expect(a.stateBytes / (reference.features.size + 1)).toBeLessThanOrEqual(64 * 1024);
  });
});
