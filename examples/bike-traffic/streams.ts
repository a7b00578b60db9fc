// The bike use case's streams: topic names and Avro codecs (registered in a fixed order —
// events, features, predictions, outcomes — so mock:// registries in separate processes
// agree on schema ids).
import {
  BikeCountEvent,
  BikeCountEventAvro,
  bikeCountEventAccepts,
  FeatureVector,
  FeatureVectorAvro,
  Outcome,
  OutcomeAvro,
  Prediction,
  PredictionAvro,
  createAvroCodec,
  createRegistryClient,
  topicsFor,
  type Topics,
  type RegistryClient,
} from "../../schemas/index.ts";
import type { Stream } from "../../stream/runtime/processor.ts";

export interface BikeStreams {
  topics: Topics;
  events: Stream<BikeCountEvent>;
  features: Stream<FeatureVector>;
  predictions: Stream<Prediction>;
  outcomes: Stream<Outcome>;
}

export async function bikeStreams(prefix: string, registry: string | RegistryClient = "mock://"): Promise<BikeStreams> {
  if (typeof registry === "string") registry = createRegistryClient(registry);
  const topics = topicsFor("bike-traffic", prefix);
  return {
    topics,
    events: { topic: topics.events, codec: await createAvroCodec({ registry, topic: topics.events, avroSchema: BikeCountEventAvro, schema: BikeCountEvent, accepts: bikeCountEventAccepts }) },
    features: { topic: topics.features, codec: await createAvroCodec({ registry, topic: topics.features, avroSchema: FeatureVectorAvro, schema: FeatureVector }) },
    predictions: { topic: topics.predictions, codec: await createAvroCodec({ registry, topic: topics.predictions, avroSchema: PredictionAvro, schema: Prediction }) },
    outcomes: { topic: topics.outcomes, codec: await createAvroCodec({ registry, topic: topics.outcomes, avroSchema: OutcomeAvro, schema: Outcome }) },
  };
}
