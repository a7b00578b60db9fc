// The `drift` topic's message: the drift monitor's alarm that a model's inputs no longer look
// like its training data (dataset drift persisting for N windows) or that its live accuracy
// broke its bounds (performance degradation). One event per episode (hysteresis, see
// docs/drift.md); the retrainer consumes them. Key: the model name.
import { z } from "zod";

const epochMs = z.number().int("must be whole epoch milliseconds").nonnegative();

export const DriftEventType = z.enum(["dataset_drift", "performance_degradation"]);
export type DriftEventType = z.infer<typeof DriftEventType>;

export const DriftEvent = z.strictObject({
  /** Deterministic (`<model>/<version>/<type>/<windowStart>`): a replayed window yields the same id, consumers dedupe on it. */
  eventId: z.string().min(1),
  type: DriftEventType,
  model: z.string().min(1),
  /** The model version whose reference (drift) or predictions (performance) were judged. */
  version: z.string().min(1),
  /** The window that completed the episode: [windowStart, windowEnd), event time. */
  windowStart: epochMs,
  windowEnd: epochMs,
  /** Consecutive windows that broke the rule, this one included. */
  consecutiveWindows: z.number().int().positive(),
  /** dataset_drift: share of drifted features in the window; null for performance events. */
  driftedShare: z.number().min(0).max(1).nullable(),
  driftedFeatures: z.array(z.string()),
  /** performance_degradation: the window's metrics; null for drift events. */
  rmse: z.number().nullable(),
  mae: z.number().nullable(),
  r2: z.number().nullable(),
  /** Rows (drift) or outcomes (performance) in the window. */
  rows: z.number().int().nonnegative(),
  reason: z.string(),
  /** When the monitor decided, epoch ms (processing time). */
  at: epochMs,
});
export type DriftEvent = z.infer<typeof DriftEvent>;

const nullableDouble = { type: ["null", "double"], default: null } as const;

export const DriftEventAvro = {
  type: "record",
  name: "DriftEvent",
  namespace: "io.edgeflow.monitor",
  doc: "Dataset drift persisting over N windows, or live accuracy out of bounds; one per episode.",
  fields: [
    { name: "eventId", type: "string" },
    { name: "type", type: { type: "enum", name: "DriftEventType", symbols: ["dataset_drift", "performance_degradation"] } },
    { name: "model", type: "string" },
    { name: "version", type: "string" },
    { name: "windowStart", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "windowEnd", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "consecutiveWindows", type: "int" },
    { name: "driftedShare", ...nullableDouble },
    { name: "driftedFeatures", type: { type: "array", items: "string" } },
    { name: "rmse", ...nullableDouble },
    { name: "mae", ...nullableDouble },
    { name: "r2", ...nullableDouble },
    { name: "rows", type: "long" },
    { name: "reason", type: "string" },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
  ],
} as const;

/** The id a window's event carries: the same window judged again yields the same id. */
export function driftEventId(e: Pick<DriftEvent, "model" | "version" | "type" | "windowStart">): string {
  return `${e.model}/${e.version}/${e.type}/${e.windowStart}`;
}
