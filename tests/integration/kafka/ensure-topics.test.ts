// ensureTopics against the real broker: when it returns, every partition of the topics it
// created has a leader and takes writes at once, also when several callers race to create the
// same topics (the losers get TOPIC_ALREADY_EXISTS and must still wait), and existing topics
// are left as they are.
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafka, ensureTopics } from "../../../stream/runtime/index.ts";

const services = inject("services");
const prefix = `it.ensure-topics.${randomUUID().slice(0, 8)}`;
const created: string[] = [];
let kafka: Kafka;

beforeAll(() => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-ensure-topics" });
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

/** Writes one record to each partition of each topic with a fresh producer; throws on the first refusal. */
async function writeEveryPartition(topics: string[], partitions: number) {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  try {
    for (const topic of topics) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: partitions }, (_, p) => ({ partition: p, value: `p${p}` })) });
    }
  } finally {
    await producer.disconnect();
  }
}

describe("ensureTopics", () => {
  it("returns only once every partition of racing creators' topics has a leader", async () => {
    const topics = Array.from({ length: 6 }, (_, i) => `${prefix}.race${i}`);
    created.push(...topics);
    const wanted = topics.map((topic) => ({ topic, numPartitions: 4, replicationFactor: 1 }));
    // Three callers, each with its own client, as three services starting together.
    const clients = [0, 1, 2].map((i) => createKafka({ brokers: services.kafkaBrokers, clientId: `it-ensure-topics-${i}` }));
    const finished: number[] = [];
    await Promise.all(clients.map(async (client, i) => {
      await ensureTopics(client, wanted);
      // Each caller checks right when its own call returns, not when the last one does.
      const admin = client.admin();
      await admin.connect();
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics });
        for (const t of meta) {
          expect(t.partitions, t.name).toHaveLength(4);
          for (const p of t.partitions) expect(p.leader, `${t.name}[${p.partitionId}]`).toBeGreaterThanOrEqual(0);
        }
      } finally {
        await admin.disconnect();
      }
      finished.push(i);
    }));
    expect(finished.sort()).toEqual([0, 1, 2]);
    await writeEveryPartition(topics, 4);
  });

  it("leaves an existing topic as it is", async () => {
    const topic = `${prefix}.existing`;
    created.push(topic);
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    await ensureTopics(kafka, [{ topic, numPartitions: 5, replicationFactor: 1 }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta[0]!.partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
    await writeEveryPartition([topic], 2);
  });
});
