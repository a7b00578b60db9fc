// A feature spec names the inputs a model expects, in order. Its hash travels with every
// snapshot, model card and scorer so a model is never fed features it was not trained on.
import { createHash } from "node:crypto";
import { z } from "zod";

export const FeatureDefinition = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "feature names are snake_case"),
  type: z.enum(["numeric", "categorical"]),
});
export type FeatureDefinition = z.infer<typeof FeatureDefinition>;

export const FeatureSpec = z.strictObject({
  name: z.string().min(1),
  version: z.number().int().positive(),
  features: z.array(FeatureDefinition).min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "hash must be 64 hex characters"),
});
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/** sha256 of the canonical JSON of name, version and ordered features. */
export function featureSpecHash(spec: Omit<FeatureSpec, "hash">): string {
  const canonical = JSON.stringify({
    name: spec.name,
    version: spec.version,
    features: spec.features.map((f) => ({ name: f.name, type: f.type })),
  });
  return createHash("sha256").update(canonical).digest("hex");
}

export function defineFeatureSpec(spec: Omit<FeatureSpec, "hash">): FeatureSpec {
  return FeatureSpec.parse({ ...spec, hash: featureSpecHash(spec) });
}
