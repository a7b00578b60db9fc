// The `retrain-runs` topic's message: one per state a retraining run enters, so the topic is
// the run's history (requested → snapshot → training → gated → promoted | rejected, or
// failed from any of them), with its reasons and the time spent in each phase.
// Key: the model name (one model's runs stay in order).
import { z } from "zod";

const epochMs = z.number().int("must be whole epoch milliseconds").nonnegative();

export const RetrainRunStatus = z.enum(["requested", "snapshot", "training", "gated", "promoted", "rejected", "failed"]);
export type RetrainRunStatus = z.infer<typeof RetrainRunStatus>;

export const RetrainTriggerKind = z.enum(["drift", "degradation", "schedule", "manual"]);
export type RetrainTriggerKind = z.infer<typeof RetrainTriggerKind>;

export const RetrainSnapshot = z.strictObject({
  id: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters"),
  rows: z.number().int().nonnegative(),
  /** Event-time range of the rows, ISO 8601. */
  from: z.string(),
  to: z.string(),
  /** Where the rows were read: topic:partition:fromOffset-toOffset, comma separated. */
  source: z.string(),
});
export type RetrainSnapshot = z.infer<typeof RetrainSnapshot>;

const metrics = z.record(z.string(), z.number());

export const RetrainRun = z.strictObject({
  runId: z.string().min(1),
  model: z.string().min(1),
  status: RetrainRunStatus,
  trigger: RetrainTriggerKind,
  /** Drift / degradation event ids coalesced into this run (empty for schedule and manual). */
  triggerEvents: z.array(z.string()),
  /** Why the run was asked for, then why it ended as it did (gate checks, errors). */
  reasons: z.array(z.string()),
  /** When the run was requested, epoch ms. */
  requestedAt: epochMs,
  /** When it entered `status`, epoch ms. */
  at: epochMs,
  /** Milliseconds spent in each finished phase: snapshot, training, gate, promotion. */
  durations: z.record(z.string(), z.number().nonnegative()),
  // avsc decodes a nested record as a class instance: copy its own fields before the strict check.
  snapshot: z.preprocess((v) => (v !== null && typeof v === "object" ? { ...v } : v), RetrainSnapshot.nullable()),
  candidateVersion: z.string().nullable(),
  championVersion: z.string().nullable(),
  /** Holdout both candidate and champion were scored on (the gate's precondition). */
  holdoutId: z.string().nullable(),
  candidateMetrics: metrics.nullable(),
  championMetrics: metrics.nullable(),
  error: z.string().nullable(),
});
export type RetrainRun = z.infer<typeof RetrainRun>;

const nullable = (type: unknown) => ({ type: ["null", type], default: null });

export const RetrainRunAvro = {
  type: "record",
  name: "RetrainRun",
  namespace: "io.edgeflow.retrainer",
  doc: "One state of a retraining run: requested, snapshot, training, gated, promoted, rejected or failed.",
  fields: [
    { name: "runId", type: "string" },
    { name: "model", type: "string" },
    {
      name: "status",
      type: { type: "enum", name: "RetrainRunStatus", symbols: ["requested", "snapshot", "training", "gated", "promoted", "rejected", "failed"] },
    },
    { name: "trigger", type: { type: "enum", name: "RetrainTriggerKind", symbols: ["drift", "degradation", "schedule", "manual"] } },
    { name: "triggerEvents", type: { type: "array", items: "string" } },
    { name: "reasons", type: { type: "array", items: "string" } },
    { name: "requestedAt", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "durations", type: { type: "map", values: "double" } },
    {
      name: "snapshot",
      ...nullable({
        type: "record",
        name: "RetrainSnapshot",
        fields: [
          { name: "id", type: "string" },
          { name: "sha256", type: "string" },
          { name: "rows", type: "long" },
          { name: "from", type: "string" },
          { name: "to", type: "string" },
          { name: "source", type: "string" },
        ],
      }),
    },
    { name: "candidateVersion", ...nullable("string") },
    { name: "championVersion", ...nullable("string") },
    { name: "holdoutId", ...nullable("string") },
    { name: "candidateMetrics", ...nullable({ type: "map", values: "double" }) },
    { name: "championMetrics", ...nullable({ type: "map", values: "double" }) },
    { name: "error", ...nullable("string") },
  ],
} as const;
