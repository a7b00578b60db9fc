// The reference profile: `reference.json` in every model version folder, written by the
// trainer from the training snapshot. The drift monitor compares live windows against it.
// Numeric features carry decile bins (for PSI and Jensen–Shannon) and a sample of at most
// 2000 raw values (for KS and Wasserstein); categorical features carry category frequencies.
// Two numeric forms the trainer writes have no decile bins to judge by and are parsed into
// what they mean: a constant feature becomes a one-category profile, a feature with no value
// in the training rows is listed in `emptyFeatures` (see docs/drift.md).
import { z } from "zod";
import { SchemaViolation, issuesOf } from "../../schemas/index.ts";

export const REFERENCE_SAMPLE_MAX = 2000;

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** The summary every numeric profile with values has (ordinary or constant). */
const numericSummary = {
  kind: z.literal("numeric"),
  /** Non-missing values in the training snapshot. */
  n: count.min(1, "a numeric profile needs at least one value"),
  missing: count,
  mean: finite,
  std: finite.refine((s) => s >= 0, "std must not be negative"),
  min: finite,
  max: finite,
};

export const NumericProfile = z
  .object({
    ...numericSummary,
    /**
     * Decile edges, strictly increasing, first = min and last = max (ties collapse edges, so
     * there may be fewer than 11). A constant feature has no such edges: see
     * ConstantNumericProfile.
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

/**
 * A constant numeric feature as the trainer writes it: min = max = v, one bin [v, w) with
 * w > v (the trainer's w is the next float after v) holding all n values. Deciles cannot
 * tell values apart where the training rows had only one, so it is judged as a categorical
 * feature with the single category String(v): a live v is that category, any other value
 * lands in "other" (unseen), which drives χ², Jensen–Shannon and PSI up.
 */
export const ConstantNumericProfile = z
  .object({
    ...numericSummary,
    quantileEdges: z.array(finite).length(2, "a constant feature has one bin: two edges"),
    binCounts: z.array(count).length(1, "a constant feature has one bin"),
    sample: z.array(finite).max(REFERENCE_SAMPLE_MAX),
  })
  .superRefine((p, ctx) => {
    const [low, high] = p.quantileEdges as [number, number];
    if (low !== p.min || !(high > low)) {
      ctx.addIssue({ code: "custom", path: ["quantileEdges"], message: "a constant feature's edges are [value, a larger number]" });
    }
    if (p.binCounts[0] !== p.n) {
      ctx.addIssue({ code: "custom", path: ["binCounts"], message: `bin counts sum to ${p.binCounts[0]}, n is ${p.n}` });
    }
  })
  .transform((p): CategoricalProfile => ({ kind: "categorical", n: p.n, missing: p.missing, frequencies: { [String(p.min)]: p.n } }));

/**
 * A numeric feature with no value in the training rows: n 0, no statistics (null), no bins,
 * no sample. There is nothing to judge a window against; the parsed profile lists it in
 * `emptyFeatures` instead of `features`.
 */
export const EmptyNumericProfile = z.object({
  kind: z.literal("numeric"),
  n: z.literal(0),
  missing: count,
  mean: z.null(),
  std: z.null(),
  min: z.null(),
  max: z.null(),
  quantileEdges: z.array(finite).length(0, "an empty feature has no edges"),
  binCounts: z.array(count).length(0, "an empty feature has no bins"),
  sample: z.array(finite).length(0, "an empty feature has no sample"),
});

const EMPTY = Symbol("no value in the training rows");

/** A feature's profile as written: the numeric forms are told apart by n and min = max. */
const WrittenFeatureProfile = z.unknown().transform((written, ctx): FeatureProfile | typeof EMPTY => {
  const numeric = typeof written === "object" && written !== null && (written as { kind?: unknown }).kind === "numeric";
  const { n, min, max } = (numeric ? written : {}) as { n?: unknown; min?: unknown; max?: unknown };
  const schema = numeric && n === 0 ? EmptyNumericProfile : numeric && typeof min === "number" && min === max ? ConstantNumericProfile : FeatureProfile;
  const parsed = schema.safeParse(written);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return schema === EmptyNumericProfile ? EMPTY : (parsed.data as FeatureProfile);
});

export const ReferenceProfile = z
  .object({
    schemaVersion: z.literal(1),
    featureSpecHash: z.string().min(1),
    rows: count,
    features: z.record(z.string().min(1), WrittenFeatureProfile),
    prediction: NumericProfile,
  })
  .transform(({ features: written, ...rest }) => {
    const features: Record<string, FeatureProfile> = {};
    const emptyFeatures: string[] = [];
    for (const [name, profile] of Object.entries(written)) {
      if (profile === EMPTY) emptyFeatures.push(name);
      else features[name] = profile;
    }
    // emptyFeatures: profiled with no value in the training rows, so not judged.
    return { ...rest, features, emptyFeatures };
  });
export type ReferenceProfile = z.infer<typeof ReferenceProfile>;

/** Parses `reference.json` content; a bad file is a SchemaViolation naming every field. */
export function parseReferenceProfile(input: unknown, source = "reference.json"): ReferenceProfile {
  const parsed = ReferenceProfile.safeParse(input);
  if (!parsed.success) throw new SchemaViolation(source, issuesOf(parsed.error));
  return parsed.data;
}
