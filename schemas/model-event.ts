// The `model-events` message: one per change in the model registry (a version registered,
// promoted, rolled back, an alias moved, or a promotion refused). Scorers, API replicas and
// edge agents hot-swap on `promoted` and `rolled_back`. Key: the model name.
import { z } from "zod";

export const ModelEventType = z.enum(["registered", "promoted", "rolled_back", "alias_set", "refused"]);
export type ModelEventType = z.infer<typeof ModelEventType>;

export const ModelEvent = z.strictObject({
  eventId: z.uuid("eventId must be a UUID"),
  type: ModelEventType,
  model: z.string().min(1, "model name must not be empty"),
  version: z.string().regex(/^\d+$/, "version must be a positive integer string"),
  /** The alias that moved (`champion` for promotions and rollbacks); null for `registered`. */
  alias: z.string().min(1).nullable(),
  /** Version the alias pointed at before this event; null if it pointed nowhere. */
  previousVersion: z.string().regex(/^\d+$/).nullable(),
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/, "modelSha256 must be a lowercase hex sha256"),
  featureSpecHash: z.string().min(1),
  reason: z.string(),
  at: z.number().int("at must be whole epoch milliseconds").nonnegative(),
});
export type ModelEvent = z.infer<typeof ModelEvent>;

export const ModelEventAvro = {
  type: "record",
  name: "ModelEvent",
  namespace: "io.edgeflow.registry",
  doc: "A change in the model registry: a version registered, promoted, rolled back, aliased or refused.",
  fields: [
    { name: "eventId", type: { type: "string", logicalType: "uuid" } },
    {
      name: "type",
      type: {
        type: "enum",
        name: "ModelEventType",
        symbols: ["registered", "promoted", "rolled_back", "alias_set", "refused"],
      },
    },
    { name: "model", type: "string" },
    { name: "version", type: "string" },
    { name: "alias", type: ["null", "string"], default: null },
    { name: "previousVersion", type: ["null", "string"], default: null },
    { name: "modelSha256", type: "string" },
    { name: "featureSpecHash", type: "string" },
    { name: "reason", type: "string" },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" }, doc: "when the change was made, UTC" },
  ],
} as const;
