// Messages of the features, predictions and outcomes topics. Generic over use cases: the
// entity is a counter, a customer…; values follow the feature spec named by its hash.
import { z } from "zod";

const epochMs = z.number().int().nonnegative();
/**
 * Feature values; NaN marks a value the history could not provide. One check over the
 * array instead of a per-element union keeps validation off the hot path's profile.
 */
const featureValues = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === "number"),
  { message: "values must be an array of numbers (NaN allowed for missing)" },
);

export const FeatureVector = z.strictObject({
  eventId: z.string().min(1),
  entityId: z.string().min(1),
  eventTime: epochMs,
  targetTime: epochMs,
  /** When the source event entered the platform (its Kafka/log timestamp), for end-to-end latency. */
  ingestedAt: epochMs,
  specHash: z.string().regex(/^[0-9a-f]{64}$/),
  values: featureValues,
  complete: z.boolean(),
});
export type FeatureVector = z.infer<typeof FeatureVector>;

export const FeatureVectorAvro = {
  type: "record",
  name: "FeatureVector",
  namespace: "io.edgeflow.stream",
  fields: [
    { name: "eventId", type: "string" },
    { name: "entityId", type: "string" },
    { name: "eventTime", type: "long" },
    { name: "targetTime", type: "long" },
    { name: "ingestedAt", type: "long" },
    { name: "specHash", type: "string" },
    { name: "values", type: { type: "array", items: "double" } },
    { name: "complete", type: "boolean" },
  ],
} as const;

export const Prediction = z.strictObject({
  eventId: z.string().min(1),
  entityId: z.string().min(1),
  eventTime: epochMs,
  targetTime: epochMs,
  value: z.number(),
  model: z.string().min(1),
  version: z.string().min(1),
  ingestedAt: epochMs,
  scoredAt: epochMs,
  /** scoredAt − ingestedAt. */
  latencyMs: z.number().nonnegative(),
});
export type Prediction = z.infer<typeof Prediction>;

export const PredictionAvro = {
  type: "record",
  name: "Prediction",
  namespace: "io.edgeflow.stream",
  fields: [
    { name: "eventId", type: "string" },
    { name: "entityId", type: "string" },
    { name: "eventTime", type: "long" },
    { name: "targetTime", type: "long" },
    { name: "value", type: "double" },
    { name: "model", type: "string" },
    { name: "version", type: "string" },
    { name: "ingestedAt", type: "long" },
    { name: "scoredAt", type: "long" },
    { name: "latencyMs", type: "double" },
  ],
} as const;

export const Outcome = z.strictObject({
  eventId: z.string().min(1),
  entityId: z.string().min(1),
  targetTime: epochMs,
  prediction: z.number(),
  actual: z.number(),
  /** prediction − actual. */
  error: z.number(),
  model: z.string().min(1),
  version: z.string().min(1),
});
export type Outcome = z.infer<typeof Outcome>;

export const OutcomeAvro = {
  type: "record",
  name: "Outcome",
  namespace: "io.edgeflow.stream",
  fields: [
    { name: "eventId", type: "string" },
    { name: "entityId", type: "string" },
    { name: "targetTime", type: "long" },
    { name: "prediction", type: "double" },
    { name: "actual", type: "double" },
    { name: "error", type: "double" },
    { name: "model", type: "string" },
    { name: "version", type: "string" },
  ],
} as const;
