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
});
