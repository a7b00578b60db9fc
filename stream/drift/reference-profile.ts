// The reference profile: `reference.json` in every model version folder, written by the
// trainer from the training snapshot. The drift monitor compares live windows against it.
// Numeric features carry decile bins (for PSI and Jensen–Shannon) and a sample of at most
// 2000 raw values (for KS and Wasserstein); categorical features carry category frequencies.
import { z } from "zod";
import { SchemaViolation, issuesOf } from "../../schemas/index.ts";

export const REFERENCE_SAMPLE_MAX = 2000;

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const NumericProfile = z
  .object({
    kind: z.literal("numeric"),
    /** Non-missing values in the training snapshot. */
    n: count.min(1, "a numeric profile needs at least one value"),
    missing: count,
    mean: finite,
    std: finite.refine((s) => s >= 0, "std must not be negative"),
    min: finite,
    max: finite,
    /**
     * Decile edges, strictly increasing, first = min and last = max (ties collapse edges, so
     * there may be fewer than 11). A constant feature has no valid edges: profile it as
     * categorical or leave it out.
     */
    quantileEdges: z.array(finite).min(2, "quantileEdges needs at least min and max"),
    /** binCounts[i] counts values in [e_i, e_{i+1}); the last bin is closed. */
    binCounts: z.array(count),
    /** Up to 2000 raw values drawn uniformly from the snapshot. */
    sample: z.array(finite).min(1, "sample must not be empty").max(REFERENCE_SAMPLE_MAX),
  })
  .superRefine((p, ctx) => {
    const edges = p.quantileEdges;
    for (let i = 1; i < edges.length; i++) {
      if (!((edges[i] as number) > (edges[i - 1] as number))) {
        ctx.addIssue({ code: "custom", path: ["quantileEdges", i], message: "edges must be strictly increasing" });
        return;
      }
    }
    if (p.binCounts.length !== edges.length - 1) {
      ctx.addIssue({
        code: "custom",
        path: ["binCounts"],
        message: `expected ${edges.length - 1} bin counts for ${edges.length} edges, got ${p.binCounts.length}`,
      });
    }
    if (edges[0] !== p.min || edges[edges.length - 1] !== p.max) {
      ctx.addIssue({ code: "custom", path: ["quantileEdges"], message: "first and last edge must equal min and max" });
    }
    const binned = p.binCounts.reduce((a, b) => a + b, 0);
    if (binned !== p.n) {
      ctx.addIssue({ code: "custom", path: ["binCounts"], message: `bin counts sum to ${binned}, n is ${p.n}` });
    }
  });
export type NumericProfile = z.infer<typeof NumericProfile>;

export const CategoricalProfile = z
  .object({
    kind: z.literal("categorical"),
    n: count.min(1, "a categorical profile needs at least one value"),
    missing: count,
    /** Category → count in the snapshot (shares are accepted too: only ratios are used). */
    frequencies: z.record(z.string(), z.number().refine((f) => Number.isFinite(f) && f >= 0, "must be ≥ 0")),
  })
  .superRefine((p, ctx) => {
    if (!Object.values(p.frequencies).some((f) => f > 0)) {
      ctx.addIssue({ code: "custom", path: ["frequencies"], message: "at least one category needs a positive frequency" });
    }
  });
export type CategoricalProfile = z.infer<typeof CategoricalProfile>;

export const FeatureProfile = z.discriminatedUnion("kind", [NumericProfile, CategoricalProfile]);
export type FeatureProfile = z.infer<typeof FeatureProfile>;

export const ReferenceProfile = z.object({
  schemaVersion: z.literal(1),
  featureSpecHash: z.string().min(1),
  rows: count,
  features: z.record(z.string().min(1), FeatureProfile),
  prediction: NumericProfile,
});
export type ReferenceProfile = z.infer<typeof ReferenceProfile>;

/** Parses `reference.json` content; a bad file is a SchemaViolation naming every field. */
export function parseReferenceProfile(input: unknown, source = "reference.json"): ReferenceProfile {
  const parsed = ReferenceProfile.safeParse(input);
  if (!parsed.success) throw new SchemaViolation(source, issuesOf(parsed.error));
  return parsed.data;
}
