// Publishes model-events to Kafka: an idempotent kafkajs producer, key = model name (so one
// model's events stay in order on one partition), Avro value in the Confluent wire format
// through the Schema Registry codec. `publish` resolves when every in-sync replica has it.
import type { Kafka, Producer } from "kafkajs";
import { ModelEvent, ModelEventAvro, createAvroCodec, topicsFor, type Codec, type RegistryClient } from "../../schemas/index.ts";
import { createKafka, ensureTopics } from "../../stream/runtime/index.ts";
import type { ModelEventPublisher } from "./events.ts";

export interface KafkaModelEventOptions {
  /** An existing client, or brokers to build one from. */
  kafka?: Kafka;
  brokers?: string[];
  registry: RegistryClient;
  /** Defaults to topicsFor(…, prefix).modelEvents. */
  topic?: string;
  topicPrefix?: string;
  /** Create the topic when missing (default true, one partition: model events are rare and totally ordered). */
  ensureTopic?: boolean;
  clientId?: string;
}

/** The model-events topic for a prefix (it does not depend on the use case). */
export function modelEventsTopic(prefix?: string): string {
  return topicsFor("registry", prefix).modelEvents;
}

export class KafkaModelEventPublisher implements ModelEventPublisher {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly options: KafkaModelEventOptions;
  private producer: Producer | null = null;
  private codec: Codec<ModelEvent> | null = null;
  private starting: Promise<void> | null = null;

  constructor(options: KafkaModelEventOptions) {
    if (!options.kafka && (options.brokers ?? []).length === 0) throw new Error("KafkaModelEventPublisher needs kafka or brokers");
    this.options = options;
    this.kafka = options.kafka ?? createKafka({ brokers: options.brokers!, clientId: options.clientId ?? "edgeflow-registry" });
    this.topic = options.topic ?? modelEventsTopic(options.topicPrefix);
  }

  /** Connects the producer and registers the Avro schema; `publish` calls it on first use. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      if (this.options.ensureTopic ?? true) await ensureTopics(this.kafka, [{ topic: this.topic, numPartitions: 1 }]);
      this.codec = await createAvroCodec({ registry: this.options.registry, topic: this.topic, avroSchema: ModelEventAvro, schema: ModelEvent });
      // Idempotence needs acks=all and at most one in-flight request per connection in kafkajs.
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    })().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  async publish(event: ModelEvent): Promise<void> {
    await this.start();
    const value = await this.codec!.serialize(event);
    await this.producer!.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: event.model, value, headers: { eventId: event.eventId, type: event.type }, timestamp: String(event.at) }],
    });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.starting = null;
    if (producer) await producer.disconnect();
  }
}
