// The model card: `card.json` in every model version folder, written by the Python trainer
// and completed by the registry (version, gate decision). Strict on what serving and the
// registry rely on (feature spec and its hash, model hash, ONNX signature, task, metrics);
// loose (passthrough) on what is only reported, so the trainer can add fields freely.
import { z } from "zod";

const isoTime = (what: string) =>
  z.string().refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: `${what} must be an ISO 8601 date or date-time`,
  });

const sha256Hex = (what: string) =>
  z.string().regex(/^[0-9a-f]{64}$/, `${what} must be a lowercase hex sha256 (64 characters)`);

const numberRecord = z.record(z.string(), z.number());

// Prefixed names: the feature spec proper belongs to stream/features; this is its copy in a card.
export const CardFeatureType = z.enum(["numeric", "categorical"]);

export const CardFeatureSpec = z.looseObject({
  name: z.string().min(1),
  version: z.number().int().nonnegative(),
  features: z
    .array(z.looseObject({ name: z.string().min(1), type: CardFeatureType }))
    .min(1, "a feature spec needs at least one feature"),
  hash: z.string().min(1),
});
export type CardFeatureSpec = z.infer<typeof CardFeatureSpec>;

/** A promotion gate's verdict on one version, as recorded on that version. */
export const GateDecision = z.looseObject({
  promote: z.boolean(),
  reasons: z.array(z.string()),
  /** Version that was champion when the decision was taken (null: there was none). */
  championVersion: z.string().nullable().optional(),
  holdoutId: z.string().optional(),
  margin: z.number().optional(),
  decidedAt: z.string().optional(),
});
export type GateDecision = z.infer<typeof GateDecision>;

export const ModelTask = z.enum(["regression", "classification"]);
export type ModelTask = z.infer<typeof ModelTask>;

export const CardOnnxSignature = z.looseObject({
  input: z.string().min(1),
  output: z.string().min(1),
  kind: z.string().min(1),
  opset: z.number().int().positive(),
  nFeatures: z.number().int().positive(),
});
export type CardOnnxSignature = z.infer<typeof CardOnnxSignature>;

export const ModelCard = z
  .looseObject({
    name: z.string().min(1),
    /** Null as written by the trainer; the registry writes the version it assigns. */
    version: z.string().regex(/^\d+$/, "version must be a positive integer string").nullable(),
    task: ModelTask,
    created: isoTime("created"),
    useCase: z.string().min(1),
    label: z.string().min(1),
    featureSpec: CardFeatureSpec,
    featureSpecHash: z.string().min(1),
    modelSha256: sha256Hex("modelSha256"),
    snapshot: z.looseObject({
      id: z.string().min(1),
      sha256: sha256Hex("snapshot.sha256"),
      rows: z.number().int().nonnegative(),
      from: isoTime("snapshot.from"),
      to: isoTime("snapshot.to"),
    }),
    split: z.looseObject({
      trainFrom: isoTime("split.trainFrom"),
      trainTo: isoTime("split.trainTo"),
      testFrom: isoTime("split.testFrom"),
      testTo: isoTime("split.testTo"),
      trainRows: z.number().int().nonnegative(),
      testRows: z.number().int().nonnegative(),
    }),
    chosen: z.looseObject({ name: z.string().min(1), params: z.record(z.string(), z.unknown()) }),
    metrics: z.looseObject({
      test: numberRecord,
      candidates: z.array(
        z.looseObject({
          name: z.string(),
          params: z.record(z.string(), z.unknown()),
          metrics: numberRecord,
          trainSeconds: z.number().nonnegative(),
        }),
      ),
      baselines: z.array(z.looseObject({ name: z.string(), metrics: numberRecord })),
    }),
    /** Decision threshold on the positive-class probability (classification only). */
    threshold: z.number().min(0).max(1).nullable().optional(),
    onnx: CardOnnxSignature,
    trainingSeconds: z.number().nonnegative(),
    parent: z.string().nullable(),
    trainer: z.looseObject({}),
    gate: GateDecision.optional(),
  })
  .superRefine((card, ctx) => {
    // Serving checks incoming features against `featureSpecHash`; a card whose two copies
    // of the hash disagree cannot be trusted either way.
    if (card.featureSpecHash !== card.featureSpec.hash) {
      ctx.addIssue({
        code: "custom",
        path: ["featureSpecHash"],
        message: `featureSpecHash ${card.featureSpecHash} differs from featureSpec.hash ${card.featureSpec.hash}`,
      });
    }
    if (card.onnx.nFeatures !== card.featureSpec.features.length) {
      ctx.addIssue({
        code: "custom",
        path: ["onnx", "nFeatures"],
        message: `onnx.nFeatures is ${card.onnx.nFeatures} but the feature spec lists ${card.featureSpec.features.length} features`,
      });
    }
    const names = card.featureSpec.features.map((f) => f.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["featureSpec", "features"],
        message: `feature "${duplicate}" is listed twice`,
      });
    }
  });
export type ModelCard = z.infer<typeof ModelCard>;
