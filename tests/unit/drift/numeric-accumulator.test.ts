import { describe, expect, it } from "vitest";
import {
  AccumulatorMismatchError,
  NumericAccumulator,
  NumericReference,
  ks2samp,
  numericJensenShannon,
  numericKs,
  numericPsi,
  numericWasserstein,
  psi,
  wassersteinDistance,
  type NumericProfile,
} from "../../../stream/drift/index.ts";
import { bikeCounts, decileProfile, normal, seeded } from "../../integration/drift/samples.ts";

function profileOf(reference: number[], sampleSize = 2000): NumericProfile {
  const { edges, binCounts } = decileProfile(reference);
  const mean = reference.reduce((a, b) => a + b, 0) / reference.length;
  const std = Math.sqrt(reference.reduce((a, b) => a + (b - mean) ** 2, 0) / reference.length);
  return {
    kind: "numeric",
    n: reference.length,
    missing: 0,
    mean,
    std,
    min: edges[0] as number,
    max: edges[edges.length - 1] as number,
    quantileEdges: edges,
    binCounts,
    sample: reference.slice(0, sampleSize),
  };
}

function accumulate(ref: NumericReference, values: readonly number[]): NumericAccumulator {
  const acc = new NumericAccumulator(ref);
  for (const v of values) acc.add(v);
  return acc;
}

describe("NumericAccumulator", () => {
  const rand = seeded(7);
  const reference = normal(rand, 20_000, 10, 2);
  const ref = new NumericReference("temperature", profileOf(reference));

  it("slots values: left tail, exact reference points, between points, right tail", () => {
    const small = new NumericReference("x", {
      kind: "numeric", n: 4, missing: 0, mean: 2.5, std: 1.118, min: 1, max: 4,
      quantileEdges: [1, 2.5, 4], binCounts: [2, 2], sample: [1, 2, 2, 4],
    });
    // points 1, 2, 4 → slots: 0 (<1), 1 (=1), 2 (1..2), 3 (=2), 4 (2..4), 5 (=4), 6 (>4)
    expect([0.5, 1, 1.5, 2, 3, 4, 9].map((v) => small.slotOf(v))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([0, 1, 2.4, 2.5, 4, 99].map((v) => small.binOf(v))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(small.cumulative)).toEqual([1, 3, 4]);
  });

  it("counts null, undefined, NaN and ±Infinity as missing, not as values", () => {
    const acc = accumulate(ref, [10, 11]);
    for (const v of [null, undefined, Number.NaN, Infinity, -Infinity]) acc.add(v);
    expect(acc.count).toBe(2);
    expect(acc.missing).toBe(5);
    expect(acc.mean).toBe(10.5);
  });

  it("computes KS from its slots exactly as ks_2samp does on the raw values", () => {
    for (const live of [normal(rand, 3000, 10.2, 2), normal(rand, 15_000, 10, 2.1), normal(rand, 25, 9, 2)]) {
      const acc = accumulate(ref, live);
      const fromState = numericKs(acc);
      const raw = ks2samp(ref.profile.sample, live);
      expect(fromState.statistic).toBe(raw.statistic);
      expect(fromState.pValue).toBe(raw.pValue);
      expect(fromState.method).toBe(raw.method);
    }
  });

  it("computes PSI and JS over the reference deciles, outer bins open-ended", () => {
    const acc = accumulate(ref, [0, 100, 10]);
    const expected = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expected[0] = 1; // 0 is below the reference min
    expected[9] = 1; // 100 is above the max
    expected[ref.binOf(10)] = (expected[ref.binOf(10)] as number) + 1;
    expect(Array.from(acc.binCounts)).toEqual(expected);
    expect(numericPsi(acc)).toBeCloseTo(psi(ref.profile.binCounts, expected), 12);
    expect(numericJensenShannon(acc)).toBeGreaterThan(0);
  });

  it("estimates Wasserstein within its reported bound, and the bound is small on real-looking data", () => {
    const counts = bikeCounts(rand, 20_000);
    const bikeRef = new NumericReference("count", profileOf(counts));
    for (const live of [bikeCounts(rand, 5000, 0.3, 150), bikeCounts(rand, 20_000), bikeCounts(rand, 2000, 0.6, 220)]) {
      const acc = accumulate(bikeRef, live);
      const est = numericWasserstein(acc);
      const exact = wassersteinDistance(bikeRef.profile.sample, live);
      expect(Math.abs(est.distance - exact)).toBeLessThanOrEqual(est.errorBound + 1e-9 * exact);
      // Integer counts mostly land on reference points or alone between two: the bound stays
      // under 0.5 % of the reference std (the drift threshold is 10 % of it).
      expect(est.errorBound).toBeLessThanOrEqual(0.005 * bikeRef.std);
    }
    for (const live of [normal(rand, 4000, 10.5, 2), normal(rand, 4000, 10, 2)]) {
      const acc = accumulate(ref, live);
      const est = numericWasserstein(acc);
      const exact = wassersteinDistance(ref.profile.sample, live);
      expect(Math.abs(est.distance - exact)).toBeLessThanOrEqual(est.errorBound + 1e-9 * exact);
      // Continuous data: bound below 2 % of the reference std, far under the 0.1·std threshold.
      expect(est.errorBound).toBeLessThan(0.02 * ref.std);
    }
  });

  it("merging pane accumulators gives the same state as accumulating everything at once", () => {
    const values = normal(rand, 9000, 10.3, 2.2);
    const whole = accumulate(ref, values);
    const panes = [values.slice(0, 1000), values.slice(1000, 1001), values.slice(1001, 6000), values.slice(6000)].map(
      (p) => accumulate(ref, p),
    );
    const merged = new NumericAccumulator(ref);
    for (const p of panes) merged.merge(p);
    expect(Array.from(merged.slotCounts)).toEqual(Array.from(whole.slotCounts));
    expect(Array.from(merged.binCounts)).toEqual(Array.from(whole.binCounts));
    expect(merged.count).toBe(whole.count);
    expect(merged.min).toBe(whole.min);
    expect(merged.max).toBe(whole.max);
    for (let i = 0; i < whole.slotOffsets.length; i++) {
      expect(merged.slotOffsets[i]).toBeCloseTo(whole.slotOffsets[i] as number, 8);
    }
    expect(numericKs(merged)).toEqual(numericKs(whole));
    expect(numericWasserstein(merged).distance).toBeCloseTo(numericWasserstein(whole).distance, 10);
  });

  it("refuses to merge accumulators of different references", () => {
    const other = new NumericReference("temperature", profileOf(reference));
    expect(() => new NumericAccumulator(ref).merge(new NumericAccumulator(other))).toThrow(AccumulatorMismatchError);
  });

  it("keeps at most ~32 KiB of state per feature with a full 2000-value sample, whatever the window length", () => {
    const wide = new NumericReference("wide", profileOf(normal(rand, 2000)));
    expect(wide.points.length).toBe(2000);
    const acc = new NumericAccumulator(wide);
    const before = acc.stateBytes;
    for (const v of normal(rand, 200_000)) acc.add(v);
    expect(acc.stateBytes).toBe(before);
    expect(acc.stateBytes).toBeLessThanOrEqual(32 * 1024 + 256);
    expect(acc.stateBytes + wide.stateBytes).toBeLessThanOrEqual(64 * 1024);
  });
});
