// The monitor's repartition step: features, predictions and outcomes arrive keyed by entity
// (a counter), spread over partitions; drift and accuracy are judged per model over all
// entities. This stateless processor re-emits each row as a MonitorObservation keyed by the
// model name, so every row of a model lands on one partition of the observations topic and
// one monitor instance owns the model's windows — no merge across partitions, at the cost of
// writing the rows once more (see docs/drift.md, "Why re-key").
//
// Feature vectors do not name a model: they are keyed by the monitored model's name (the
// champion of the configured model). Incomplete vectors are not scored and are not in the
// training rows the reference was profiled from, so they are not monitored either.
import type { FeatureVector, MonitorObservation, Outcome, Prediction } from "../../schemas/index.ts";
import type { Processor, Stream } from "../../stream/runtime/index.ts";

export interface MonitorRekeyOptions {
  name?: string;
  /** Name of the model the feature vectors are monitored for. */
  model: string;
  features: Stream<FeatureVector>;
  predictions: Stream<Prediction>;
  outcomes: Stream<Outcome>;
  observations: Stream<MonitorObservation>;
}

export function monitorRekeyProcessor(o: MonitorRekeyOptions): Processor<never> {
  return {
    name: o.name ?? "edgeflow-monitor-rekey",
    inputs: [o.features as Stream<unknown>, o.predictions as Stream<unknown>, o.outcomes as Stream<unknown>],
    outputs: { observations: o.observations as Stream<unknown> },
    process(records, ctx) {
      for (const r of records) {
        if (r.topic === o.features.topic) {
          const f = r.value as FeatureVector;
          if (!f.complete) continue;
          ctx.emit("observations", o.model, {
            kind: "features",
            model: o.model,
            version: null,
            eventId: f.eventId,
            entityId: f.entityId,
            time: f.targetTime,
            sourcePartition: r.partition,
            values: f.values,
            specHash: f.specHash,
            prediction: null,
            actual: null,
          } satisfies MonitorObservation);
        } else if (r.topic === o.predictions.topic) {
          const p = r.value as Prediction;
          ctx.emit("observations", p.model, {
            kind: "prediction",
            model: p.model,
            version: p.version,
            eventId: p.eventId,
            entityId: p.entityId,
            time: p.targetTime,
            sourcePartition: r.partition,
            values: [],
            specHash: null,
            prediction: p.value,
            actual: null,
          } satisfies MonitorObservation);
        } else {
          const out = r.value as Outcome;
          ctx.emit("observations", out.model, {
            kind: "outcome",
            model: out.model,
            version: out.version,
            eventId: out.eventId,
            entityId: out.entityId,
            time: out.targetTime,
            sourcePartition: r.partition,
            values: [],
            specHash: null,
            prediction: out.prediction,
            actual: out.actual,
          } satisfies MonitorObservation);
        }
      }
    },
  };
}
