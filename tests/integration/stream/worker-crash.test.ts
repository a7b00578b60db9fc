// Exactly once across a crash of the stream worker as deployed: features and scorer fused,
// with per-counter state in a changelog. The process is killed with SIGKILL mid-stream and
// started again; a read_committed consumer sees exactly one feature vector per new counter
// hour and one prediction per scorable event, none missing, and every prediction is the
// model's value on the pure function's features — so the state restored from the
// changelog after the kill is the state the killed process had committed.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BikeCountEvent, FeatureVector, Prediction } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState, type BikeFeatureRow } from "../../../stream/features/index.ts";
import { createKafka, ensureTopics } from "../../../stream/runtime/index.ts";
import { bikeStreams, lastWeekModelDir, parisEventsBefore, type BikeStreams } from "../../support/bike-pipeline.ts";
import { collect, deleteTopicsWithPrefix, publishEvents } from "../../support/kafka-collect.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const services = inject("services");
const prefix = `it-wcrash-${randomUUID().slice(0, 8)}`;
const LAG168 = BIKE_FEATURE_SPEC.features.findIndex((f) => f.name === "lag_168h");
let kafka: Kafka;
let streams: BikeStreams;
let sample: BikeCountEvent[];
let child: ChildProcess | undefined;

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-wcrash" });
  streams = await bikeStreams(prefix);
  sample = await parisEventsBefore(Date.UTC(2020, 10, 1)); // September and October 2020
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) child.kill("SIGKILL");
  await deleteTopicsWithPrefix(kafka, prefix);
});

function startWorker(modelDir: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "services/scorer/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: services.kafkaBrokers.join(","),
      EDGEFLOW_TOPIC_PREFIX: prefix,
      EDGEFLOW_PROCESSORS: "features,scorer", // fused (EDGEFLOW_FUSE defaults to true)
      EDGEFLOW_MODEL_DIR: modelDir,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

describe("stream worker crash (features + scorer fused)", () => {
  it("keeps exactly one feature vector and one prediction per event, with state restored from the changelog", async () => {
    const modelDir = lastWeekModelDir();
    const states = new Map<string, BikeCounterState>();
    const rows = new Map<string, BikeFeatureRow>();
    for (const e of sample) {
      const step = stepBikeFeatures(states.get(e.counterId), e);
      states.set(e.counterId, step.state);
      if (step.kind === "features") rows.set(step.row.eventId, step.row);
    }
    const scorable = [...rows.values()].filter((r) => r.complete);
    expect(scorable.length).toBeGreaterThan(20_000);

    await ensureTopics(kafka, [streams.topics.events, streams.topics.features, streams.topics.predictions].map((topic) => ({ topic, numPartitions: 4 })));
    const features = await collect(kafka, streams.topics.features);
    const predictions = await collect(kafka, streams.topics.predictions);
    // Half the events, then the worker; it is killed while working through them.
    const half = Math.floor(sample.length / 2);
    await publishEvents(kafka, streams.events, sample.slice(0, half));
    child = startWorker(modelDir);
    await predictions.until((n) => n >= scorable.length * 0.15, 180_000);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const atKill = predictions.messages.length;
    expect(atKill).toBeLessThan(scorable.length);

    // The rest of the events arrive while it is down; a new process takes over.
    await publishEvents(kafka, streams.events, sample.slice(half));
    child = startWorker(modelDir);
    await predictions.until((n) => n >= scorable.length, 240_000);
    await features.until((n) => n >= rows.size, 60_000);
    await new Promise((r) => setTimeout(r, 5_000)); // a duplicate would show up now
    child.kill("SIGTERM");
    const [code] = await new Promise<[number | null, string | null]>((r) => child!.once("exit", (c, s) => r([c, s])));
    expect(code, "a SIGTERM'd worker finishes its batch and exits 0").toBe(0);

    const vectors: FeatureVector[] = await Promise.all(features.messages.map(({ message }) => streams.features.codec.deserialize(message.value!)));
    const preds: Prediction[] = await Promise.all(predictions.messages.map(({ message }) => streams.predictions.codec.deserialize(message.value!)));
    await features.stop();
    await predictions.stop();
    expect(vectors.length).toBe(rows.size);
    expect(new Set(vectors.map((v) => v.eventId)).size).toBe(rows.size);
    expect(preds.length).toBe(scorable.length);
    expect(new Set(preds.map((p) => p.eventId))).toEqual(new Set(scorable.map((r) => r.eventId)));
    for (const v of vectors) expect(v.values).toEqual(rows.get(v.eventId)!.values);
    for (const p of preds) expect(p.value).toBe(rows.get(p.eventId)!.values[LAG168]);
  });
});
