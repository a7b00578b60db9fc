// The monitor on real Kafka and InfluxDB: feature vectors, predictions and outcomes keyed by
// entity over four partitions go through the re-key step and the monitor; every closed
// window is in InfluxDB (read back by InfluxQL), and three drifted windows in a row put one
// dataset_drift event on the drift topic.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InfluxDB } from "influx";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRegistryClient, type DriftEvent, type FeatureVector, type Outcome, type Prediction } from "../../../schemas/index.ts";
import { createKafka } from "../../../stream/runtime/index.ts";
import { monitorConfig, pipelineStreams, startMonitor, type PipelineStreams, type RunningMonitor } from "../../../services/monitor/index.ts";
import { openRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { collect, deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";
import { DRIFT_SPEC, normalValues, writeDriftModelFolder } from "../../support/drift-fixtures.ts";

const services = inject("services");
const prefix = `it-mon-${randomUUID().slice(0, 8)}`;
const database = `it_mon_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);
const DAYS = 9;
const DRIFTED = new Set([3, 4, 5, 6]);
const ENTITIES = ["c1", "c2", "c3", "c4", "c5", "c6"];

let kafka: Kafka;
let registry: ModelRegistry;
let monitor: RunningMonitor | undefined;
let streams: PipelineStreams;
const url = new URL(services.influxUrl);
const influx = new InfluxDB({ host: url.hostname, port: Number(url.port || 8086), database });

async function publishDay(d: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const drifted = DRIFTED.has(d);
  const a = normalValues(360, drifted ? 75 : 50, 10, 10 + d);
  const b = normalValues(360, drifted ? 2 : 0, 1, 20 + d);
  const features: Array<{ key: string; value: Buffer }> = [];
  const predictions: Array<{ key: string; value: Buffer }> = [];
  const outcomes: Array<{ key: string; value: Buffer }> = [];
  for (let i = 0; i < 360; i++) {
    const entityId = ENTITIES[i % ENTITIES.length]!;
    const t = T0 + d * DAY + Math.floor(i / ENTITIES.length) * 1_440_000;
    const eventId = `${entityId}@${t}`;
    const f: FeatureVector = { eventId, entityId, eventTime: t - 3_600_000, targetTime: t, ingestedAt: t, specHash: DRIFT_SPEC.hash, values: [a[i]!, b[i]!, 0], complete: true };
    const p: Prediction = { eventId, entityId, eventTime: t - 3_600_000, targetTime: t, value: a[i]!, model: "drift-model", version: "1", ingestedAt: t, scoredAt: t, latencyMs: 0 };
    const o: Outcome = { eventId, entityId, targetTime: t, prediction: a[i]!, actual: a[i]! + (i % 7) - 3, error: 3 - (i % 7), model: "drift-model", version: "1" };
    features.push({ key: entityId, value: await streams.features.codec.serialize(f) });
    predictions.push({ key: entityId, value: await streams.predictions.codec.serialize(p) });
    outcomes.push({ key: entityId, value: await streams.outcomes.codec.serialize(o) });
  }
  await producer.send({ topic: streams.topics.features, acks: -1, messages: features });
  await producer.send({ topic: streams.topics.predictions, acks: -1, messages: predictions });
  await producer.send({ topic: streams.topics.outcomes, acks: -1, messages: outcomes });
  await producer.disconnect();
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-monitor" });
  const schemaRegistry = createRegistryClient("mock://");
  streams = await pipelineStreams(schemaRegistry, prefix, "bike-traffic");
  const home = mkdtempSync(join(tmpdir(), "ef-it-mon-"));
  registry = openRegistry({ backend: { kind: "file", root: join(home, "registry") }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: prefix } });
  const v = await registry.register(writeDriftModelFolder(join(home, "model")));
  await registry.promote(v.name, v.version);
  const config = monitorConfig({
    KAFKA_BROKERS: services.kafkaBrokers.join(","),
    EDGEFLOW_TOPIC_PREFIX: prefix,
    EDGEFLOW_MODEL_NAME: "drift-model",
    EDGEFLOW_HOME: home,
    INFLUX_URL: services.influxUrl,
    INFLUX_DATABASE: database,
    EDGEFLOW_DRIFT_WINDOW: "1d",
    EDGEFLOW_DRIFT_WINDOW_OFFSET: "0",
    EDGEFLOW_DRIFT_LATENESS: "1h",
    EDGEFLOW_DRIFT_IDLE: "4s",
    EDGEFLOW_DRIFT_METHOD: "ks",
    EDGEFLOW_DRIFT_THRESHOLD: "0.01",
    EDGEFLOW_DRIFT_CONSECUTIVE: "3",
    EDGEFLOW_PERF_MIN_OUTCOMES: "10",
  });
  monitor = await startMonitor(config, { registry, schemaRegistry });
});

afterAll(async () => {
  await monitor?.stop();
  await registry?.close();
  await influx.dropDatabase(database).catch(() => undefined);
  await deleteTopicsWithPrefix(kafka, prefix);
});

describe("drift monitor on Kafka and InfluxDB", () => {
  it("writes each closed day's drift and performance to InfluxDB, read back by query", async () => {
    for (let d = 0; d < DAYS; d++) await publishDay(d);
    // The last day stays open (nothing after it moves the watermark): DAYS - 1 windows close.
    const rows = await waitFor(
      "eight drift_dataset windows in InfluxDB",
      async () => {
        const r = await influx.query<{ time: Date; share: number; drifted: boolean; rows: number; version: string }>(
          `SELECT share, drifted, rows, version FROM drift_dataset WHERE model = 'drift-model' ORDER BY time ASC`,
        );
        return r.length >= DAYS - 1 ? r : undefined;
      },
      120_000,
    );
    expect(rows.map((r) => (r.time.getTime() - T0) / DAY)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((r) => r.drifted)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((d) => DRIFTED.has(d)));
    expect(rows.every((r) => r.rows === 360 && r.version === "1")).toBe(true);

    const features = await influx.query<{ feature: string; value: number; p_value: number }>(
      `SELECT value, p_value, feature FROM drift_feature WHERE method = 'ks' AND time = ${(T0 + 4 * DAY) * 1_000_000}`,
    );
    expect(features.map((f) => f.feature).sort()).toEqual(["a", "b"]);
    expect(features.every((f) => f.p_value < 0.01)).toBe(true);

    const perf = await influx.query<{ rmse: number; n: number }>(`SELECT rmse, n FROM performance WHERE model = 'drift-model' AND version = '1' ORDER BY time ASC`);
    expect(perf).toHaveLength(DAYS - 1);
    expect(perf.every((p) => p.n === 360)).toBe(true);
    // errors cycle through -3..3: RMSE = sqrt(mean of squares) over the 360 rows of a day
    const expected = Math.sqrt(Array.from({ length: 360 }, (_, i) => (3 - (i % 7)) ** 2).reduce((s, x) => s + x, 0) / 360);
    for (const p of perf) expect(p.rmse).toBeCloseTo(expected, 9);
  });

  it("puts one dataset_drift event on the drift topic after three drifted windows", async () => {
    const drift = await collect(kafka, streams.topics.drift);
    await drift.until((n) => n >= 1, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await drift.stop();
    const events: DriftEvent[] = await Promise.all(drift.messages.map((m) => streams.drift.codec.deserialize(m.message.value!)));
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e!.type).toBe("dataset_drift");
    expect(e!.windowStart).toBe(T0 + 5 * DAY);
    expect(e!.consecutiveWindows).toBe(3);
    expect(e!.driftedFeatures.sort()).toEqual(["a", "b"]);
    expect(drift.messages[0]!.message.key?.toString()).toBe("drift-model");
  });
});
