// Subscribes to the model-events topic on Kafka for a process that follows the champion (the
// API, a scorer, the monitor: see champion-watch.ts). Every replica must see every event, so
// each uses its own consumer group and reads from the beginning: replayed old events only
// trigger a champion check, which is idempotent and coalesced. The event is a hint — the
// registry stays the source of truth — so an event that cannot be decoded (another process's
// mock:// schema ids) still triggers a check for the model in its key.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Consumer, Kafka } from "kafkajs";
import { ModelEvent, ModelEventAvro, createAvroCodec, type RegistryClient } from "../../schemas/index.ts";
import { createKafka, createLogger, ensureTopics, type Logger } from "../../stream/runtime/index.ts";
import { modelEventsTopic } from "./kafka-events.ts";

export type ModelEventHint = Pick<ModelEvent, "model" | "type" | "version" | "eventId">;

export interface KafkaModelEventSubscriberOptions {
  kafka?: Kafka;
  brokers?: string[];
  registry: RegistryClient;
  topicPrefix?: string;
  topic?: string;
  /** Consumer group name before its random suffix (default edgeflow-model-events-<host>-<pid>). */
  groupPrefix?: string;
  /** Client id of the Kafka client built from `brokers`. */
  clientId?: string;
  logger?: Logger;
}

export class KafkaModelEventSubscriber {
  readonly topic: string;
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private readonly log: Logger;

  constructor(private readonly options: KafkaModelEventSubscriberOptions) {
    this.kafka = options.kafka ?? createKafka({ brokers: options.brokers ?? [], clientId: options.clientId ?? "edgeflow-model-events" });
    this.topic = options.topic ?? modelEventsTopic(options.topicPrefix);
    this.log = options.logger ?? createLogger("model-events", { topic: this.topic });
  }

  /** Resolves once the consumer has joined its group and is fetching. */
  async start(listener: (event: ModelEventHint) => unknown): Promise<void> {
    // A follower may start before anything was ever published: create the topic as the publisher would.
    await ensureTopics(this.kafka, [{ topic: this.topic, numPartitions: 1 }]);
    const codec = await createAvroCodec({ registry: this.options.registry, topic: this.topic, avroSchema: ModelEventAvro, schema: ModelEvent });
    const group = this.options.groupPrefix ?? `edgeflow-model-events-${hostname()}-${process.pid}`;
    const consumer = this.kafka.consumer({ groupId: `${group}-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 250 });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const offset = message.offset;
        const model = message.key?.toString() ?? "";
        let hint: ModelEventHint;
        try {
          hint = await codec.deserialize(message.value!);
        } catch (error) {
          // Still a signal that `model` changed: the registry will tell what.
          this.log.warn("model event not decoded; checking the registry anyway", { offset, model, error });
          hint = { model, type: "promoted", version: "0", eventId: message.headers?.eventId?.toString() ?? `offset-${offset}` };
        }
        // Not awaited: checks are coalesced, and a replay of old events must not stall the fetch loop.
        void listener(hint);
      },
    });
    await joined;
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect();
  }
}
