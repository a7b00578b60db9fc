// The retrainer on real Kafka with a trainer that crashes (EDGEFLOW_TRAINER_PYTHON points at a
// script that exits 1): a drift event launches a run, the snapshot is taken from the topics,
// the run ends `failed` on retrain-runs with the trainer's reason, the champion is unchanged,
// and a second drift event inside the cooldown launches nothing.
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createRegistryClient, type DriftEvent, type RetrainRun } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { createKafka } from "../../../stream/runtime/index.ts";
import { pipelineStreams, type PipelineStreams } from "../../../services/monitor/index.ts";
import { CHAMPION, openRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { retrainerConfig, startRetrainer, type RunningRetrainer } from "../../../services/retrainer/index.ts";
import { collect, deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const services = inject("services");
const prefix = `it-rt-${randomUUID().slice(0, 8)}`;
const HOUR = 3_600_000;
const T0 = Date.UTC(2020, 10, 2);
let kafka: Kafka;
let registry: ModelRegistry;
let streams: PipelineStreams;
let running: RunningRetrainer | undefined;

function driftEvent(windowStart: number): DriftEvent {
  return {
    eventId: `bike-next-hour/1/dataset_drift/${windowStart}`,
    type: "dataset_drift",
    model: "bike-next-hour",
    version: "1",
    windowStart,
    windowEnd: windowStart + 7 * 24 * HOUR,
    consecutiveWindows: 3,
    driftedShare: 0.7,
    driftedFeatures: ["lag_1h"],
    rmse: null,
    mae: null,
    r2: null,
    rows: 4000,
    reason: "test drift",
    at: Date.now(),
  };
}

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-retrainer" });
  const home = mkdtempSync(join(tmpdir(), "ef-it-rt-"));
  const schemaRegistry = createRegistryClient("mock://");
  streams = await pipelineStreams(schemaRegistry, prefix, "bike-traffic");
  registry = openRegistry({ backend: { kind: "file", root: join(home, "registry") }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: prefix } });
  const v1 = await registry.register(writeLinearModelFolder(join(home, "v1"), { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } }).dir);
  await registry.promote(v1.name, v1.version);

  // A week of features and outcomes for three counters.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const features = [];
  const outcomes = [];
  for (let h = 0; h < 7 * 24; h++) {
    for (const entityId of ["c1", "c2", "c3"]) {
      const t = T0 + h * HOUR;
      const eventId = `${entityId}@${t}`;
      const values = BIKE_FEATURE_SPEC.features.map((_, i) => (h * 7 + i) % 50);
      features.push({ key: entityId, value: await streams.features.codec.serialize({ eventId, entityId, eventTime: t - HOUR, targetTime: t, ingestedAt: t, specHash: BIKE_FEATURE_SPEC.hash, values, complete: true }) });
      outcomes.push({ key: entityId, value: await streams.outcomes.codec.serialize({ eventId, entityId, targetTime: t, prediction: values[5]!, actual: h % 40, error: values[5]! - (h % 40), model: "bike-next-hour", version: "1" }) });
    }
  }
  await producer.send({ topic: streams.topics.features, acks: -1, messages: features });
  await producer.send({ topic: streams.topics.outcomes, acks: -1, messages: outcomes });
  await producer.disconnect();

  const script = join(home, "crashing-trainer.sh");
  writeFileSync(script, '#!/bin/sh\necho \'{"level": "error", "msg": "trainer crashed on purpose"}\' >&2\nexit 1\n');
  chmodSync(script, 0o755);
  const env = retrainerConfig({
    KAFKA_BROKERS: services.kafkaBrokers.join(","),
    EDGEFLOW_TOPIC_PREFIX: prefix,
    EDGEFLOW_HOME: home,
    EDGEFLOW_TRAINER_PYTHON: script,
    EDGEFLOW_RETRAIN_WINDOW: "7d",
    EDGEFLOW_RETRAIN_COOLDOWN: "1h",
    EDGEFLOW_RETRAIN_TRIGGERS: "drift,degradation",
  });
  running = await startRetrainer(env, { registry, schemaRegistry });
});

afterAll(async () => {
  await running?.stop();
  await registry?.close();
  await deleteTopicsWithPrefix(kafka, prefix);
});

describe("retrainer with a crashing trainer", () => {
  it("records a failed run on retrain-runs and leaves the champion unchanged", async () => {
    const runs = await collect(kafka, streams.topics.retrainRuns);
    const failedBefore = (await register.getSingleMetric("edgeflow_retrain_runs_total")!.get()).values.find((v) => v.labels.status === "failed")?.value ?? 0;
    const producer = kafka.producer();
    await producer.connect();
    const event = driftEvent(T0);
    await producer.send({ topic: streams.topics.drift, messages: [{ key: event.model, value: await streams.drift.codec.serialize(event) }] });

    await runs.until((n) => n >= 4, 120_000);
    const records: RetrainRun[] = await Promise.all(runs.messages.map((m) => streams.retrainRuns.codec.deserialize(m.message.value!)));
    expect(records.map((r) => r.status)).toEqual(["requested", "snapshot", "training", "failed"]);
    const failed = records.at(-1)!;
    expect(failed.trigger).toBe("drift");
    expect(failed.triggerEvents).toEqual([event.eventId]);
    expect(failed.error).toMatch(/trainer exited with code 1/);
    expect(failed.error).toMatch(/trainer crashed on purpose/);
    expect(failed.snapshot!.rows).toBe(7 * 24 * 3);
    expect(failed.snapshot!.source).toMatch(new RegExp(`${streams.topics.features}:\\d+:0-\\d+`));
    expect(failed.candidateVersion).toBeNull();
    expect(failed.durations.training).toBeGreaterThanOrEqual(0);
    expect((await registry.get("bike-next-hour", CHAMPION)).version).toBe("1");
    expect((await registry.list("bike-next-hour")).map((v) => v.version)).toEqual(["1"]);
    const failedAfter = (await register.getSingleMetric("edgeflow_retrain_runs_total")!.get()).values.find((v) => v.labels.status === "failed")!.value;
    expect(failedAfter - failedBefore).toBe(1);

    // Another drift episode inside the one-hour cooldown: no new run.
    const second = driftEvent(T0 + 7 * 24 * HOUR);
    await producer.send({ topic: streams.topics.drift, messages: [{ key: second.model, value: await streams.drift.codec.serialize(second) }] });
    await producer.disconnect();
    await new Promise((r) => setTimeout(r, 4_000));
    await runs.stop();
    expect(runs.messages).toHaveLength(4);
  });
});
