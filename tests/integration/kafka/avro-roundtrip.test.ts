// The whole Paris sample through a real broker as Avro (Confluent wire format, mock://
// registry): nothing lost, nothing changed, per-counter order kept, bad records refused.
import { randomUUID } from "node:crypto";
import { AvroSerializer, SerdeType } from "@confluentinc/schemaregistry";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  BikeCountEvent,
  BikeCountEventAvro,
  SchemaViolation,
  createAvroCodec,
  createRegistryClient,
  type Codec,
} from "../../../schemas/index.ts";
import { createKafka, ensureTopics } from "../../../stream/runtime/index.ts";
import { PARIS_SAMPLE_ROWS, readParisEvents } from "../../../examples/bike-traffic/dataset.ts";

const services = inject("services");
const topic = `it.avro-roundtrip.${randomUUID().slice(0, 8)}`;
const registry = createRegistryClient("mock://");
let kafka: Kafka;
let codec: Codec<BikeCountEvent>;
let sample: BikeCountEvent[];

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-avro-roundtrip" });
  await ensureTopics(kafka, [{ topic, numPartitions: 4, replicationFactor: 1 }]);
  codec = await createAvroCodec({ registry, topic, avroSchema: BikeCountEventAvro, schema: BikeCountEvent });
  sample = [];
  for await (const e of readParisEvents()) sample.push(e);
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

async function consumeAll(expected: number, decode: (value: Buffer) => Promise<BikeCountEvent>) {
  const consumer = kafka.consumer({ groupId: `it-avro-${randomUUID()}`, maxBytes: 8 * 1024 * 1024 });
  const byCounter = new Map<string, BikeCountEvent[]>();
  let received = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${received}/${expected} records`)), 150_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const event = await decode(m.value!);
            expect(m.key!.toString()).toBe(event.counterId);
            const list = byCounter.get(event.counterId) ?? [];
            list.push(event);
            byCounter.set(event.counterId, list);
            received += 1;
          }
          if (received >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return { byCounter, received };
}

describe("Avro over real Kafka", () => {
  it(`publishes all ${PARIS_SAMPLE_ROWS} Paris events and reads back the same values in per-counter order`, async () => {
    expect(sample).toHaveLength(PARIS_SAMPLE_ROWS);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const CHUNK = 4_000;
    for (let i = 0; i < sample.length; i += CHUNK) {
      const messages = await Promise.all(
        sample.slice(i, i + CHUNK).map(async (e) => ({ key: e.counterId, value: await codec.serialize(e) })),
      );
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const { byCounter, received } = await consumeAll(sample.length, (v) => codec.deserialize(v));
    expect(received).toBe(PARIS_SAMPLE_ROWS);

    const expected = new Map<string, BikeCountEvent[]>();
    for (const e of sample) expected.set(e.counterId, [...(expected.get(e.counterId) ?? []), e]);
    expect([...byCounter.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [counterId, events] of expected) {
      // Same values, in the order they were published (which is event-time order).
      expect(byCounter.get(counterId)).toEqual(events);
    }
  });

  it("refuses to publish an event whose count is negative, naming the field", async () => {
    const bad = { ...sample[0]!, count: -4 };
    const error = await codec.serialize(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).issues.map((i) => i.path)).toContain("count");
  });

  it("rejects a record read from Kafka that is valid Avro but violates the schema, naming the field", async () => {
    // Another producer, bypassing our validation, writes Avro that decodes but is not a valid event.
    const raw = new AvroSerializer(registry, SerdeType.VALUE, { useSchemaId: codec.schemaId, autoRegisterSchemas: false });
    const badBytes = await raw.serialize(topic, { ...sample[0]!, latitude: 123.5 });
    const error = await codec.deserialize(badBytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).issues.map((i) => i.path)).toEqual(["latitude"]);
    expect((error as Error).message).toContain("latitude");
  });
});
