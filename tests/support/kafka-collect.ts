// Test helpers over real Kafka: publish Avro events, and collect a topic with a
// read_committed consumer until a condition holds.
import { randomUUID } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";
import type { BikeCountEvent } from "../../schemas/index.ts";
import type { Stream } from "../../stream/runtime/index.ts";

export async function publishEvents(kafka: Kafka, events: Stream<BikeCountEvent>, list: BikeCountEvent[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < list.length; i += 5_000) {
    const messages = await Promise.all(list.slice(i, i + 5_000).map(async (e) => ({ key: e.counterId, value: await events.codec.serialize(e) })));
    await producer.send({ topic: events.topic, acks: -1, messages });
  }
  await producer.disconnect();
}

export interface Collected {
  messages: Array<{ partition: number; message: KafkaMessage }>;
  stop(): Promise<void>;
  /** Resolves once `predicate(count)` holds, or rejects after timeoutMs. */
  until(predicate: (count: number) => boolean, timeoutMs: number): Promise<void>;
}

export async function collect(kafka: Kafka, topic: string): Promise<Collected> {
  const consumer = kafka.consumer({ groupId: `it-collect-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const messages: Collected["messages"] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) messages.push({ partition: batch.partition, message: m });
    },
  });
  return {
    messages,
    stop: () => consumer.disconnect(),
    async until(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages.length)) {
        if (Date.now() > deadline) throw new Error(`${topic}: condition not met after ${timeoutMs} ms with ${messages.length} messages`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
