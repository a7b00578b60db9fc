// The scoring processor: features → predictions with the current model, in micro-batches
// of at most `maxBatch` rows (the runtime's fetch wait bounds the time side). Incomplete
// feature vectors (cold start, gaps) are not scorable and are skipped; a vector computed
// under another feature spec is refused to the DLQ, never scored.
import type { FeatureVector, Prediction } from "../../schemas/index.ts";
import type { InputRecord, Processor, Stream } from "../runtime/index.ts";
import type { ModelHolder } from "./model-holder.ts";
import { Histogram, register } from "prom-client";

const scoringLatency =
  (register.getSingleMetric("edgeflow_scoring_latency_seconds") as Histogram | undefined) ??
  new Histogram({
    name: "edgeflow_scoring_latency_seconds",
    help: "Event ingestion to prediction, seconds",
    labelNames: ["model", "version"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

export interface ScoringProcessorOptions {
  name?: string;
  features: Stream<FeatureVector>;
  predictions: Stream<Prediction>;
  models: ModelHolder;
  maxBatch?: number;
  now?: () => number;
}

export function scoringProcessor(options: ScoringProcessorOptions): Processor<never> {
  const maxBatch = options.maxBatch ?? 512;
  const now = options.now ?? Date.now;
  return {
    name: options.name ?? "edgeflow-scorer",
    inputs: [options.features as Stream<unknown>],
    outputs: { predictions: options.predictions as Stream<unknown> },
    process: (records, ctx) => options.models.use(async (model) => {
      const hash = model.card.featureSpecHash;
      const scorable: Array<InputRecord<FeatureVector>> = [];
      for (const r of records as ReadonlyArray<InputRecord<FeatureVector>>) {
        if (r.value.specHash !== hash) {
          ctx.reject(r, `features were computed with spec ${r.value.specHash}, model ${model.name} v${model.version} expects ${hash}`, "FEATURE_SPEC_MISMATCH");
        } else if (r.value.complete) {
          scorable.push(r);
        }
      }
      const width = model.nFeatures;
      const latency = scoringLatency.labels({ model: model.name, version: model.version });
      for (let i = 0; i < scorable.length; i += maxBatch) {
        const chunk = scorable.slice(i, i + maxBatch);
        const rows = new Float32Array(chunk.length * width);
        chunk.forEach((r, j) => rows.set(r.value.values, j * width));
        const values = await model.predict(rows, chunk.length);
        const scoredAt = now();
        chunk.forEach((r, j) => {
          const f = r.value;
          const latencyMs = Math.max(0, scoredAt - f.ingestedAt);
          latency.observe(latencyMs / 1000);
          ctx.emit("predictions", f.entityId, {
            eventId: f.eventId,
            entityId: f.entityId,
            eventTime: f.eventTime,
            targetTime: f.targetTime,
            value: values[j]!,
            model: model.name,
            version: model.version,
            ingestedAt: f.ingestedAt,
            scoredAt,
            latencyMs,
          } satisfies Prediction);
        });
      }
    }),
  };
}
