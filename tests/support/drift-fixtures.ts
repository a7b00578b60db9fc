// Reference profiles and model folders for drift monitor tests, built from value lists the
// way the trainer profiles training rows (deciles, a ≤ 2000-value sample).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineFeatureSpec, type FeatureSpec } from "../../schemas/index.ts";
import { writeLinearModelFolder } from "./linear-model.ts";

export function numericProfile(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * (n - 1)))]!;
  const edges = [...new Set(Array.from({ length: 11 }, (_, i) => q(i / 10)))];
  edges[0] = sorted[0]!;
  edges[edges.length - 1] = sorted[n - 1]!;
  const binCounts = new Array<number>(edges.length - 1).fill(0);
  for (const v of sorted) {
    let b = edges.findIndex((e, i) => i > 0 && v < e) - 1;
    if (b < 0) b = edges.length - 2;
    binCounts[b] = binCounts[b]! + 1;
  }
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const step = Math.max(1, Math.floor(n / 2000));
  const sample = sorted.filter((_, i) => i % step === 0).slice(0, 2000);
  return { kind: "numeric" as const, n, missing: 0, mean, std, min: sorted[0]!, max: sorted[n - 1]!, quantileEdges: edges, binCounts, sample };
}

/** Deterministic pseudo-normal values (sum of uniforms from a seeded LCG). */
export function normalValues(n: number, mean: number, sd: number, seed = 1): number[] {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => mean + sd * (u() + u() + u() + u() + u() + u() - 3) * Math.SQRT2);
}

export const DRIFT_SPEC: FeatureSpec = defineFeatureSpec({
  name: "drift-test",
  version: 1,
  features: [
    { name: "a", type: "numeric" },
    { name: "b", type: "numeric" },
    { name: "flag", type: "numeric" },
  ],
});

/**
 * A model folder whose reference profiles a ~ N(50, 10), b ~ N(0, 1), flag constant 0 (as
 * the trainer writes a constant: edges [0, next float]), prediction ~ N(50, 10).
 */
export function writeDriftModelFolder(dir: string, opts: { name?: string; version?: string } = {}): string {
  writeLinearModelFolder(dir, { name: opts.name ?? "drift-model", version: opts.version ?? "1", spec: DRIFT_SPEC, weights: { a: 1 } });
  const reference = {
    schemaVersion: 1,
    featureSpecHash: DRIFT_SPEC.hash,
    rows: 4000,
    features: {
      a: numericProfile(normalValues(4000, 50, 10, 1)),
      b: numericProfile(normalValues(4000, 0, 1, 2)),
      flag: { kind: "numeric", n: 4000, missing: 0, mean: 0, std: 0, min: 0, max: 0, quantileEdges: [0, 5e-324], binCounts: [4000], sample: [0, 0, 0] },
    },
    prediction: numericProfile(normalValues(4000, 50, 10, 3)),
  };
  writeFileSync(join(dir, "reference.json"), JSON.stringify(reference));
  return dir;
}
