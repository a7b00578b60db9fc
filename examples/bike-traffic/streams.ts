// Builds the bike pipeline's streams and processors for tests (codecs on a mock:// registry).
import {
  BikeCountEvent,
  BikeCountEventAvro,
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
} from "../../schemas/index.ts";
import type { Stream } from "../../stream/runtime/index.ts";

export interface BikeStreams {
  topics: Topics;
  events: Stream<BikeCountEvent>;
  features: Stream<FeatureVector>;
  predictions: Stream<Prediction>;
  outcomes: Stream<Outcome>;
}

export async function bikeStreams(prefix: string, registryUrl = "mock://"): Promise<BikeStreams> {
  const registry = createRegistryClient(registryUrl);
  const topics = topicsFor("bike-traffic", prefix);
  return {
    topics,
    events: { topic: topics.events, codec: await createAvroCodec({ registry, topic: topics.events, avroSchema: BikeCountEventAvro, schema: BikeCountEvent }) },
    features: { topic: topics.features, codec: await createAvroCodec({ registry, topic: topics.features, avroSchema: FeatureVectorAvro, schema: FeatureVector }) },
    predictions: { topic: topics.predictions, codec: await createAvroCodec({ registry, topic: topics.predictions, avroSchema: PredictionAvro, schema: Prediction }) },
    outcomes: { topic: topics.outcomes, codec: await createAvroCodec({ registry, topic: topics.outcomes, avroSchema: OutcomeAvro, schema: Outcome }) },
  };
}
