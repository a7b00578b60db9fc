// The streams the monitor and the retrainer read and write, with their codecs. Schemas are
// registered in one fixed order — the stream worker's (events, features, predictions,
// outcomes), then observations, drift, retrain-runs — so that `mock://` registries in separate
// processes hand out the same schema ids. A real Schema Registry needs no such care.
import {
  BikeCountEvent,
  BikeCountEventAvro,
  DriftEvent,
  DriftEventAvro,
  FeatureVector,
  FeatureVectorAvro,
  MonitorObservation,
  MonitorObservationAvro,
  Outcome,
  OutcomeAvro,
  Prediction,
  PredictionAvro,
  RetrainRun,
  RetrainRunAvro,
  createAvroCodec,
  topicsFor,
  type RegistryClient,
  type Topics,
} from "../../schemas/index.ts";
import type { Stream } from "../../stream/runtime/index.ts";

/** The monitor's internal repartition topic (rows keyed by model). */
export function observationsTopic(prefix: string, useCase: string): string {
  return `${prefix ? `${prefix}.` : ""}monitor-observations.${useCase}`;
}

export interface PipelineStreams {
  topics: Topics;
  events: Stream<BikeCountEvent>;
  features: Stream<FeatureVector>;
  predictions: Stream<Prediction>;
  outcomes: Stream<Outcome>;
  observations: Stream<MonitorObservation>;
  drift: Stream<DriftEvent>;
  retrainRuns: Stream<RetrainRun>;
}

export async function pipelineStreams(registry: RegistryClient, prefix: string, useCase: string): Promise<PipelineStreams> {
  const topics = topicsFor(useCase, prefix);
  const stream = async <T>(topic: string, avroSchema: object, schema: Parameters<typeof createAvroCodec>[0]["schema"]): Promise<Stream<T>> => ({
    topic,
    codec: (await createAvroCodec({ registry, topic, avroSchema, schema })) as Stream<T>["codec"],
  });
  const events = await stream<BikeCountEvent>(topics.events, BikeCountEventAvro, BikeCountEvent);
  const features = await stream<FeatureVector>(topics.features, FeatureVectorAvro, FeatureVector);
  const predictions = await stream<Prediction>(topics.predictions, PredictionAvro, Prediction);
  const outcomes = await stream<Outcome>(topics.outcomes, OutcomeAvro, Outcome);
  const observations = await stream<MonitorObservation>(observationsTopic(prefix, useCase), MonitorObservationAvro, MonitorObservation);
  const drift = await stream<DriftEvent>(topics.drift, DriftEventAvro, DriftEvent);
  const retrainRuns = await stream<RetrainRun>(topics.retrainRuns, RetrainRunAvro, RetrainRun);
  return { topics, events, features, predictions, outcomes, observations, drift, retrainRuns };
}
