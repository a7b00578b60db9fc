// kafkajs looked up the transaction and group coordinators (a FindCoordinator round trip
// each) for every step of every transaction; edgeflow's fix caches them. On a real broker:
// ten consume→produce transactions, each with sendOffsets, ask for coordinators at most a
// few times in all (once a first one has found them), and every transaction's messages and
// offsets are committed.
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { COORDINATOR_TTL_MS } from "../../../stream/runtime/kafka/kafkajs-fixes.ts";
import { createKafka, ensureTopics } from "../../../stream/runtime/index.ts";
import { collect, deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";

const services = inject("services");
const prefix = `it-txrt-${randomUUID().slice(0, 8)}`;
let kafka: Kafka;

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-txrt" });
  await ensureTopics(kafka, [{ topic: `${prefix}.out`, numPartitions: 1 }, { topic: `${prefix}.in`, numPartitions: 1 }]);
});

afterAll(async () => {
  await deleteTopicsWithPrefix(kafka, prefix);
});

describe("transactions on kafkajs with edgeflow's fixes", () => {
  it("find their coordinators once, not at every step, and still commit", async () => {
    const producer = kafka.producer({ transactionalId: `${prefix}-tx`, idempotent: true, maxInFlightRequests: 1 });
    const requests: string[] = [];
    producer.on(producer.events.REQUEST, ({ payload }) => void requests.push(payload.apiName));
    await producer.connect();
    const out = await collect(kafka, `${prefix}.out`);
    const transaction = async (i: number) => {
      const tx = await producer.transaction();
      await tx.send({ topic: `${prefix}.out`, messages: [{ key: "k", value: `v${i}` }] });
      await tx.sendOffsets({ consumerGroupId: `${prefix}-group`, topics: [{ topic: `${prefix}.in`, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
      await tx.commit();
    };
    // On a new broker the first transaction waits for the coordinators to load (their lookups
    // fail and are retried); count the steady state after it.
    await transaction(0);
    requests.length = 0;
    const started = Date.now();
    for (let i = 1; i <= 10; i++) await transaction(i);
    const elapsed = Date.now() - started;
    await producer.disconnect();
    await out.until((n) => n >= 11, 30_000);
    await out.stop();
    expect(out.messages.map((m) => m.message.value!.toString())).toEqual(Array.from({ length: 11 }, (_, i) => `v${i}`));

    const lookups = requests.filter((r) => r === "GroupCoordinator" || r === "FindCoordinator").length;
    // Unpatched: 4 lookups per transaction, 40. Patched: one per coordinator and TTL period.
    const periods = Math.ceil(elapsed / COORDINATOR_TTL_MS) + 1;
    expect(requests.filter((r) => r === "EndTxn")).toHaveLength(10);
    expect(lookups).toBeLessThanOrEqual(2 * periods);
    expect(lookups).toBeLessThan(40);

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}-group`, topics: [`${prefix}.in`] });
    await admin.disconnect();
    expect(offsets!.partitions[0]!.offset).toBe("11");
  });
});
