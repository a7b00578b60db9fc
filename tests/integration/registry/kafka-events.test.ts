// Model events through real Kafka: the registry's Kafka publisher writes Avro (Confluent
// wire format, `mock://` schema registry) keyed by model name; a consumer reads them back.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka, KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ModelEvent, ModelEventAvro, createAvroCodec, createRegistryClient, defineFeatureSpec, type RegistryClient } from "../../../schemas/index.ts";
import { KafkaModelEventPublisher, createFileStore, createModelRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { createKafka, createLogger } from "../../../stream/runtime/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const prefix = `it-registry-${randomUUID().slice(0, 8)}`;
const spec = defineFeatureSpec({ name: "events-test", version: 1, features: [{ name: "hour", type: "numeric" }] });

describe("Kafka model-event publisher", () => {
  let kafka: Kafka;
  let schemaRegistry: RegistryClient;
  let publisher: KafkaModelEventPublisher;
  let registry: ModelRegistry;
  const work = mkdtempSync(join(tmpdir(), "edgeflow-registry-events-"));

  beforeAll(async () => {
    kafka = createKafka({ brokers: inject("services").kafkaBrokers, clientId: "it-registry-events" });
    schemaRegistry = createRegistryClient("mock://");
    publisher = new KafkaModelEventPublisher({ kafka, registry: schemaRegistry, topicPrefix: prefix });
    registry = createModelRegistry(createFileStore({ root: join(work, "registry") }), { publisher, logger: createLogger("registry", {}, () => true) });
  });

  afterAll(async () => {
    await registry?.close();
    await publisher?.close();
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [publisher.topic] }).catch(() => undefined);
      await admin.disconnect();
    }
    rmSync(work, { recursive: true, force: true });
  });

  it("publishes to <prefix>.model-events", () => {
    expect(publisher.topic).toBe(`${prefix}.model-events`);
  });

  it("publishes register, promote and rollback as Avro events keyed by model name, in order", async () => {
    for (const [i, w] of [1, 2].entries()) {
      writeLinearModelFolder(join(work, `v${i}`), { name: "bike-events", spec, weights: { hour: w } });
      await registry.register(join(work, `v${i}`));
    }
    await registry.promote("bike-events", "1", { reason: "first" });
    await registry.promote("bike-events", "2", { reason: "better" });
    await registry.rollback("bike-events", { reason: "regressed online" });

    const messages: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: `${prefix}-reader`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: publisher.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
        },
      });
      const deadline = Date.now() + 60_000;
      while (messages.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(messages).toHaveLength(5);
      const codec = await createAvroCodec({ registry: schemaRegistry, topic: publisher.topic, avroSchema: ModelEventAvro, schema: ModelEvent });
      const events = await Promise.all(messages.map((m) => codec.deserialize(m.value!)));
      expect(events.map((e) => [e.type, e.version, e.alias, e.previousVersion, e.reason])).toEqual([
        ["registered", "1", null, null, expect.stringContaining("registered from")],
        ["registered", "2", null, null, expect.stringContaining("registered from")],
        ["promoted", "1", "champion", null, "first"],
        ["promoted", "2", "champion", "1", "better"],
        ["rolled_back", "1", "champion", "2", "regressed online"],
      ]);
      expect(messages.map((m) => m.key?.toString())).toEqual(Array(5).fill("bike-events"));
      expect(messages[4]!.headers?.eventId?.toString()).toBe(events[4]!.eventId);
      expect(messages[4]!.headers?.type?.toString()).toBe("rolled_back");
      expect(events[4]!.featureSpecHash).toBe(spec.hash);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(5);
    } finally {
      await consumer.disconnect();
    }
  });
});
