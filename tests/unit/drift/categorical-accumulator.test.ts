import { describe, expect, it } from "vitest";
import {
  CategoricalAccumulator,
  CategoricalReference,
  OTHER_PSEUDO_COUNT,
  UNSEEN_EXAMPLES_MAX,
  categoricalChiSquare,
  categoricalJensenShannon,
  categoricalPsi,
} from "../../../stream/drift/index.ts";

const reference = new CategoricalReference("weekday", {
  kind: "categorical",
  n: 1000,
  missing: 0,
  frequencies: { mon: 600, tue: 400, sun: 0 },
});

describe("CategoricalAccumulator", () => {
  it("expects reference shares plus an 'other' bucket with a 0.5 pseudo-count", () => {
    expect(reference.categories).toEqual(["mon", "tue"]);
    const s = Array.from(reference.expectedShares);
    expect(s[0]).toBeCloseTo((0.6 * 1000) / 1000.5, 15);
    expect(s[1]).toBeCloseTo((0.4 * 1000) / 1000.5, 15);
    expect(s[2]).toBeCloseTo(OTHER_PSEUDO_COUNT / 1000.5, 15);
  });

  it("puts unseen and zero-frequency categories in 'other' and keeps a few names as examples", () => {
    const acc = new CategoricalAccumulator(reference);
    for (const v of ["mon", "tue", "sun", "wed", null, undefined, "mon"]) acc.add(v);
    expect(Array.from(acc.counts)).toEqual([2, 1, 2]);
    expect(acc.unseen).toBe(2);
    expect([...acc.unseenExamples]).toEqual(["sun", "wed"]);
    expect(acc.missing).toBe(2);
    expect(acc.count).toBe(5);
  });

  it("bounds the unseen examples whatever arrives", () => {
    const acc = new CategoricalAccumulator(reference);
    for (let i = 0; i < 1000; i++) acc.add(`new-${i}`);
    expect(acc.unseenExamples.size).toBe(UNSEEN_EXAMPLES_MAX);
    expect(acc.unseen).toBe(1000);
  });

  it("χ² against shares scaled to the live total matches scipy", () => {
    const acc = new CategoricalAccumulator(reference);
    for (let i = 0; i < 55; i++) acc.add("mon");
    for (let i = 0; i < 45; i++) acc.add("tue");
    // e = np.array([600/1000.5, 400/1000.5, 0.5/1000.5]) * 100
    // stats.chisquare([55, 45, 0], e) -> (1.0921875000000005, 0.5792079280920963)
    const r = categoricalChiSquare(acc);
    expect(r.statistic).toBeCloseTo(1.0921875000000005, 12);
    expect(r.pValue).toBeCloseTo(0.5792079280920963, 12);
  });

  it("a burst of unseen values drives χ², JS and PSI over their thresholds", () => {
    const acc = new CategoricalAccumulator(reference);
    for (let i = 0; i < 60; i++) acc.add("mon");
    for (let i = 0; i < 30; i++) acc.add("tue");
    for (let i = 0; i < 10; i++) acc.add("holiday");
    expect(categoricalChiSquare(acc).pValue).toBeLessThan(1e-10);
    expect(categoricalPsi(acc)).toBeGreaterThan(0.2);
    expect(categoricalJensenShannon(acc)).toBeGreaterThan(0.1);
  });

  it("merging equals accumulating everything, with example names unioned", () => {
    const a = new CategoricalAccumulator(reference);
    const b = new CategoricalAccumulator(reference);
    const all = new CategoricalAccumulator(reference);
    ["mon", "x", null].forEach((v) => (a.add(v), all.add(v)));
    ["tue", "y", "mon"].forEach((v) => (b.add(v), all.add(v)));
    a.merge(b);
    expect(Array.from(a.counts)).toEqual(Array.from(all.counts));
    expect([a.count, a.missing]).toEqual([all.count, all.missing]);
    expect([...a.unseenExamples].sort()).toEqual(["x", "y"]);
  });
});
