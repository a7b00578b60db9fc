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

/** One observation: the row's ids and time, its kind's fields, and nulls or empties for the rest. */
function observe(
  kind: MonitorObservation["kind"],
  model: string,
  version: string | null,
  row: { eventId: string; entityId: string; targetTime: MonitorObservation["time"] },
  sourcePartition: number,
  fields: Partial<Pick<MonitorObservation, "values" | "specHash" | "prediction" | "actual">>,
): MonitorObservation {
  return {
    kind,
    model,
    version,
    eventId: row.eventId,
    entityId: row.entityId,
    time: row.targetTime,
    sourcePartition,
    values: fields.values ?? [],
    specHash: fields.specHash ?? null,
    prediction: fields.prediction ?? null,
    actual: fields.actual ?? null,
  };
}

export function monitorRekeyProcessor(o: MonitorRekeyOptions): Processor<never> {
  return {
    name: o.name ?? "edgeflow-monitor-rekey",
    inputs: [o.features as Stream<unknown>, o.predictions as Stream<unknown>, o.outcomes as Stream<unknown>],
    outputs: { observations: o.observations as Stream<unknown> },
    process(records, ctx) {
      for (const r of records) {
        let observation: MonitorObservation;
        if (r.topic === o.features.topic) {
          const f = r.value as FeatureVector;
          if (!f.complete) continue;
          observation = observe("features", o.model, null, f, r.partition, { values: f.values, specHash: f.specHash });
        } else if (r.topic === o.predictions.topic) {
          const p = r.value as Prediction;
          observation = observe("prediction", p.model, p.version, p, r.partition, { prediction: p.value });
        } else {
          const out = r.value as Outcome;
          observation = observe("outcome", out.model, out.version, out, r.partition, { prediction: out.prediction, actual: out.actual });
        }
        ctx.emit("observations", observation.model, observation);
      }
    },
  };
}
