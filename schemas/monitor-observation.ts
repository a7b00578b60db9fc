// The drift monitor's internal repartition topic: features, predictions and outcomes of a
// use case, re-keyed from the entity to the model name, so that one partition (and one
// processor instance) sees every row of a model and its windows need no merge across
// partitions. `sourcePartition` is the partition the row was read from upstream: the monitor
// keeps one watermark per source partition and closes a window only when all have passed it.
import { z } from "zod";

const epochMs = z.number().int().nonnegative();

/** `tick`: no data; sent by the monitor service to itself so idle sources are noticed. */
export const ObservationKind = z.enum(["features", "prediction", "outcome", "tick"]);
export type ObservationKind = z.infer<typeof ObservationKind>;

export const MonitorObservation = z.strictObject({
  kind: ObservationKind,
  model: z.string().min(1),
  /** Version that made the prediction (prediction, outcome); null for features. */
  version: z.string().min(1).nullable(),
  eventId: z.string().min(1),
  entityId: z.string().min(1),
  /** Event time the row belongs to: the forecast's target hour. */
  time: epochMs,
  sourcePartition: z.number().int().nonnegative(),
  /** features: the vector, in feature-spec order (NaN = missing); empty otherwise. */
  values: z.array(z.number().or(z.nan())),
  /** features: the spec the vector was computed with; null otherwise. */
  specHash: z.string().nullable(),
  /** prediction and outcome: the forecast. */
  prediction: z.number().nullable(),
  /** outcome: what actually happened. */
  actual: z.number().nullable(),
});
export type MonitorObservation = z.infer<typeof MonitorObservation>;

export const MonitorObservationAvro = {
  type: "record",
  name: "MonitorObservation",
  namespace: "io.edgeflow.monitor",
  fields: [
    { name: "kind", type: { type: "enum", name: "ObservationKind", symbols: ["features", "prediction", "outcome", "tick"] } },
    { name: "model", type: "string" },
    { name: "version", type: ["null", "string"], default: null },
    { name: "eventId", type: "string" },
    { name: "entityId", type: "string" },
    { name: "time", type: "long" },
    { name: "sourcePartition", type: "int" },
    { name: "values", type: { type: "array", items: "double" } },
    { name: "specHash", type: ["null", "string"], default: null },
    { name: "prediction", type: ["null", "double"], default: null },
    { name: "actual", type: ["null", "double"], default: null },
  ],
} as const;
