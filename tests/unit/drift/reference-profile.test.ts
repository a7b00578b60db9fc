import { describe, expect, it } from "vitest";
import { SchemaViolation } from "../../../schemas/index.ts";
import { parseReferenceProfile, type ReferenceProfile } from "../../../stream/drift/index.ts";

const numeric = {
  kind: "numeric",
  n: 10,
  missing: 1,
  mean: 4.5,
  std: 2.87,
  min: 0,
  max: 9,
  quantileEdges: [0, 3, 6, 9],
  binCounts: [3, 3, 4],
  sample: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
};

const valid = {
  schemaVersion: 1,
  featureSpecHash: "sha256:abc",
  rows: 11,
  features: {
    lag_1h: numeric,
    weekday: { kind: "categorical", n: 11, missing: 0, frequencies: { mon: 6, tue: 5 } },
  },
  prediction: numeric,
};

function violations(input: unknown): string[] {
  try {
    parseReferenceProfile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaViolation);
    return (e as SchemaViolation).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe("ReferenceProfile", () => {
  it("parses a trainer's reference.json", () => {
    const p: ReferenceProfile = parseReferenceProfile(valid);
    expect(Object.keys(p.features)).toEqual(["lag_1h", "weekday"]);
    expect(p.features.weekday?.kind).toBe("categorical");
  });

  it("names edges that are not strictly increasing", () => {
    const bad = { ...valid, features: { lag_1h: { ...numeric, quantileEdges: [0, 3, 3, 9] } } };
    expect(violations(bad)).toContain("features.lag_1h.quantileEdges.2: edges must be strictly increasing");
  });

  it("names bin counts whose length does not match the edges, or whose sum is not n", () => {
    const bad = { ...valid, prediction: { ...numeric, binCounts: [3, 7] } };
    expect(violations(bad)).toContain("prediction.binCounts: expected 3 bin counts for 4 edges, got 2");
    const off = { ...valid, prediction: { ...numeric, binCounts: [3, 3, 3] } };
    expect(violations(off)).toContain("prediction.binCounts: bin counts sum to 9, n is 10");
  });

  it("requires the outer edges to be min and max", () => {
    const bad = { ...valid, prediction: { ...numeric, min: -1 } };
    expect(violations(bad)).toContain("prediction.quantileEdges: first and last edge must equal min and max");
  });

  it("caps the sample at 2000 values", () => {
    const bad = { ...valid, prediction: { ...numeric, sample: new Array(2001).fill(1) } };
    expect(violations(bad).some((v) => v.startsWith("prediction.sample:"))).toBe(true);
  });

  it("rejects another schema version and an unknown feature kind", () => {
    expect(violations({ ...valid, schemaVersion: 2 }).some((v) => v.startsWith("schemaVersion"))).toBe(true);
    const bad = { ...valid, features: { f: { kind: "text", n: 1, missing: 0 } } };
    expect(violations(bad).some((v) => v.startsWith("features.f"))).toBe(true);
  });

  it("rejects categorical frequencies that are all zero", () => {
    const bad = { ...valid, features: { w: { kind: "categorical", n: 3, missing: 0, frequencies: { a: 0 } } } };
    expect(violations(bad)).toContain("features.w.frequencies: at least one category needs a positive frequency");
  });

  it("parses a constant numeric feature, as the trainer writes it, as one category holding all its values", () => {
    const constant = { kind: "numeric", n: 10, missing: 2, mean: 3, std: 0, min: 3, max: 3, quantileEdges: [3, 3.0000000000000004], binCounts: [10], sample: [3, 3, 3] };
    const p = parseReferenceProfile({ ...valid, features: { ...valid.features, holiday: constant } });
    expect(p.features.holiday).toEqual({ kind: "categorical", n: 10, missing: 2, frequencies: { "3": 10 } });
    expect(p.features.lag_1h).toEqual(numeric);
    expect(p.emptyFeatures).toEqual([]);
  });

  it("names a constant feature whose single bin does not hold n or whose edges are not [value, larger]", () => {
    const constant = { kind: "numeric", n: 10, missing: 0, mean: 0, std: 0, min: 0, max: 0, quantileEdges: [0, 5e-324], binCounts: [10], sample: [0] };
    expect(violations({ ...valid, features: { f: { ...constant, binCounts: [9] } } })).toEqual(["features.f.binCounts: bin counts sum to 9, n is 10"]);
    expect(violations({ ...valid, features: { f: { ...constant, quantileEdges: [0, 0] } } })).toEqual(["features.f.quantileEdges: a constant feature's edges are [value, a larger number]"]);
    expect(violations({ ...valid, features: { f: { ...constant, quantileEdges: [0, 1, 2], binCounts: [5, 5] } } })).toEqual([
      "features.f.quantileEdges: a constant feature has one bin: two edges",
      "features.f.binCounts: a constant feature has one bin",
    ]);
  });

  it("lists a feature with no value in the training rows in emptyFeatures and leaves it out of features", () => {
    const empty = { kind: "numeric", n: 0, missing: 11, mean: null, std: null, min: null, max: null, quantileEdges: [], binCounts: [], sample: [] };
    const p = parseReferenceProfile({ ...valid, features: { lag_1h: numeric, lag_168h: empty, weekday: valid.features.weekday } });
    expect(Object.keys(p.features)).toEqual(["lag_1h", "weekday"]);
    expect(p.emptyFeatures).toEqual(["lag_168h"]);
  });

  it("names an n: 0 profile that still carries statistics or bins", () => {
    const empty = { kind: "numeric", n: 0, missing: 11, mean: null, std: null, min: null, max: null, quantileEdges: [], binCounts: [], sample: [] };
    expect(violations({ ...valid, features: { f: { ...empty, binCounts: [0] } } })).toEqual(["features.f.binCounts: an empty feature has no bins"]);
    expect(violations({ ...valid, features: { f: { ...empty, mean: 1 } } }).some((v) => v.startsWith("features.f.mean:"))).toBe(true);
  });

  it("keeps refusing a constant or empty prediction profile: the prediction is always judged as numeric", () => {
    const constant = { kind: "numeric", n: 10, missing: 0, mean: 3, std: 0, min: 3, max: 3, quantileEdges: [3, 3.0000000000000004], binCounts: [10], sample: [3] };
    expect(violations({ ...valid, prediction: constant })).toContain("prediction.quantileEdges: first and last edge must equal min and max");
    expect(violations({ ...valid, prediction: { ...numeric, n: 0 } }).some((v) => v.startsWith("prediction.n:"))).toBe(true);
  });
});
