// The bike pipeline on real Kafka with exactly-once: the whole Paris sample in, one
// prediction per scorable event out; features equal the pure function's; a model swap
// mid-run loses nothing and every prediction after it names the new version; bad
// messages go to the DLQ with their origin while good ones flow.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BikeCountEvent, FeatureVector, Outcome, Prediction } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState, type BikeFeatureRow } from "../../../stream/features/index.ts";
import { createKafka, deadLetterInfo } from "../../../stream/runtime/index.ts";
import { ModelHolder } from "../../../stream/scoring/index.ts";
import { readParisEvents } from "../../../examples/bike-traffic/dataset.ts";
import { startStreamWorker, type StreamWorker } from "../../../services/scorer/worker.ts";
import { scorerConfig } from "../../../services/scorer/config.ts";
import { bikeStreams, type BikeStreams } from "../../support/bike-pipeline.ts";
import { collect, deleteTopicsWithPrefix, publishEvents } from "../../support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const services = inject("services");
const prefix = `it-${randomUUID().slice(0, 8)}`;
let kafka: Kafka;
let streams: BikeStreams;
let sample: BikeCountEvent[];
let worker: StreamWorker | undefined;
const LAG1 = BIKE_FEATURE_SPEC.features.findIndex((f) => f.name === "lag_1h");
const LAG168 = BIKE_FEATURE_SPEC.features.findIndex((f) => f.name === "lag_168h");

function pureRows(events: BikeCountEvent[]): Map<string, BikeFeatureRow> {
  const states = new Map<string, BikeCounterState>();
  const rows = new Map<string, BikeFeatureRow>();
  for (const e of events) {
    const step = stepBikeFeatures(states.get(e.counterId), e);
    states.set(e.counterId, step.state);
    if (step.kind === "features") rows.set(step.row.eventId, step.row);
  }
  return rows;
}

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-pipeline" });
  streams = await bikeStreams(prefix);
  sample = [];
  for await (const e of readParisEvents()) sample.push(e);
});

afterAll(async () => {
  await worker?.stop();
  await deleteTopicsWithPrefix(kafka, prefix);
});

describe("bike pipeline on Kafka, exactly once", () => {
  it("turns the whole Paris sample into one prediction per scorable event, swapping models mid-run without loss", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "ef-it-models-"));
    const v1 = writeLinearModelFolder(join(tmp, "v1"), { name: "bike", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
    const v2 = writeLinearModelFolder(join(tmp, "v2"), { name: "bike", version: "2", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } });
    const models = await ModelHolder.fromFolder(v1.dir, BIKE_FEATURE_SPEC.hash);
    const config = scorerConfig({ KAFKA_BROKERS: services.kafkaBrokers.join(","), EDGEFLOW_TOPIC_PREFIX: prefix });
    worker = await startStreamWorker(config, models);

    const predictions = await collect(kafka, streams.topics.predictions);
    await publishEvents(kafka, streams.events, sample);
    const rows = pureRows(sample);
    const scorable = [...rows.values()].filter((r) => r.complete);
    expect(scorable.length).toBeGreaterThan(200_000);

    await predictions.until((n) => n >= 60_000, 300_000);
    await models.swapToFolder(v2.dir);
    await predictions.until((n) => n >= scorable.length, 600_000);
    await new Promise((r) => setTimeout(r, 3_000)); // anything extra would be a duplicate

    const decoded: Array<{ partition: number; p: Prediction }> = [];
    for (const { partition, message } of predictions.messages) decoded.push({ partition, p: await streams.predictions.codec.deserialize(message.value!) });
    await predictions.stop();
    const ids = decoded.map((d) => d.p.eventId);
    expect(ids.length).toBe(scorable.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(scorable.map((r) => r.eventId)));

    // Each prediction is the named version's formula on the pure function's features.
    for (const { p } of decoded) {
      const row = rows.get(p.eventId)!;
      expect(p.value).toBe(p.version === "1" ? row.values[LAG1] : row.values[LAG168]);
    }
    // After a partition's first v2 prediction, no v1 prediction follows.
    const versions = new Set<string>();
    const swappedAt = new Map<number, boolean>();
    for (const { partition, p } of decoded) {
      versions.add(p.version);
      if (p.version === "2") swappedAt.set(partition, true);
      else expect(swappedAt.get(partition) ?? false, `v1 after v2 on partition ${partition}`).toBe(false);
    }
    expect([...versions].sort()).toEqual(["1", "2"]);
  });

  it("emits features equal to the pure function's output on the same history", async () => {
    const features = await collect(kafka, streams.topics.features);
    const rows = pureRows(sample);
    await features.until((n) => n >= rows.size, 120_000);
    await features.stop();
    expect(features.messages).toHaveLength(rows.size);
    for (const { message } of features.messages.filter((_, i) => i % 37 === 0)) {
      const f: FeatureVector = await streams.features.codec.deserialize(message.value!);
      const row = rows.get(f.eventId)!;
      expect(f.values).toEqual(row.values);
      expect(f.complete).toBe(row.complete);
      expect(f.specHash).toBe(BIKE_FEATURE_SPEC.hash);
    }
  });

  it("joins forecasts with the actual counts into outcomes", async () => {
    const outcomes = await collect(kafka, streams.topics.outcomes);
    const rows = pureRows(sample);
    const hasFeatures = new Set([...rows.values()].map((r) => `${r.counterId}@${r.eventTime}`));
    const actual = new Map(sample.map((e) => [`${e.counterId}@${e.timestamp}`, e.count]));
    const joinable = [...rows.values()].filter((r) => r.complete && hasFeatures.has(`${r.counterId}@${r.targetTime}`));
    await outcomes.until((n) => n >= joinable.length, 300_000);
    await outcomes.stop();
    expect(outcomes.messages).toHaveLength(joinable.length);
    for (const { message } of outcomes.messages.filter((_, i) => i % 41 === 0)) {
      const o: Outcome = await streams.outcomes.codec.deserialize(message.value!);
      expect(o.actual).toBe(actual.get(`${o.entityId}@${o.targetTime}`));
      expect(o.error).toBeCloseTo(o.prediction - o.actual, 9);
    }
  });

  it("sends malformed and schema-violating events to the DLQ with their origin and reason while good ones flow", async () => {
    const dlq = await collect(kafka, streams.topics.dlq);
    const features = await collect(kafka, streams.topics.features);
    const before = features.messages.length;
    await features.until((n) => n >= before && n > 0, 60_000);
    const producer = kafka.producer();
    await producer.connect();
    const late = sample.slice(-3).map((e) => ({ ...e, timestamp: e.timestamp + 3_600_000 * 24 * 30 }));
    const bad = await streams.events.codec.serialize(sample[0]!);
    bad[bad.length - 17] = 0x09; // count = -5
    await producer.send({
      topic: streams.topics.events,
      messages: [
        { key: "poison", value: Buffer.from("{not avro}") },
        { key: sample[0]!.counterId, value: bad },
        ...(await Promise.all(late.map(async (e) => ({ key: e.counterId, value: await streams.events.codec.serialize(e) })))),
      ],
    });
    await producer.disconnect();
    await dlq.until((n) => n >= 2, 60_000);
    await features.until((n) => n >= before + 3, 60_000);
    const infos = dlq.messages
      .map(({ message }) => deadLetterInfo(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v as Buffer]))))
      .filter((i) => i.origin.processor === `${prefix}.features-scorer.bike-traffic`); // the fused processor
    expect(infos.map((i) => i.code).sort()).toEqual(["DECODE_FAILED", "SCHEMA_VIOLATION"]);
    expect(infos.every((i) => i.origin.topic === streams.topics.events && i.origin.offset !== "")).toBe(true);
    expect(infos.find((i) => i.code === "SCHEMA_VIOLATION")!.reason).toContain("count");
    expect(dlq.messages.find(({ message }) => message.key?.toString() === "poison")!.message.value!.toString()).toBe("{not avro}");
    await dlq.stop();
    await features.stop();
  });
});
