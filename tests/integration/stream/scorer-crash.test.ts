// Exactly once across a crash: the scorer process is killed with SIGKILL mid-stream and
// started again; a read_committed consumer still sees exactly one prediction per scorable
// event id, none missing. The killed process's open transaction is aborted when the
// restarted one initialises the same transactional ids (fencing).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BikeCountEvent } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState } from "../../../stream/features/index.ts";
import { createKafka, ensureTopics } from "../../../stream/runtime/index.ts";
import { readParisEvents } from "../../../examples/bike-traffic/dataset.ts";
import { startStreamWorker, type StreamWorker } from "../../../services/scorer/worker.ts";
import { scorerConfig } from "../../../services/scorer/config.ts";
import { bikeStreams, type BikeStreams } from "../../support/bike-pipeline.ts";
import { collect, deleteTopicsWithPrefix, publishEvents } from "../../support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const services = inject("services");
const prefix = `it-crash-${randomUUID().slice(0, 8)}`;
let kafka: Kafka;
let streams: BikeStreams;
let sample: BikeCountEvent[];
let features: StreamWorker | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-crash" });
  streams = await bikeStreams(prefix);
  sample = [];
  for await (const e of readParisEvents()) {
    if (e.timestamp >= Date.UTC(2020, 10, 1)) break; // September and October 2020
    sample.push(e);
  }
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) child.kill("SIGKILL");
  await features?.stop();
  await deleteTopicsWithPrefix(kafka, prefix);
});

function startScorer(modelDir: string): ChildProcess {
  // node --import tsx, not the tsx CLI: signals must reach the scorer itself, not a wrapper.
  const proc = spawn(process.execPath, ["--import", "tsx", join(ROOT, "services/scorer/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: services.kafkaBrokers.join(","),
      EDGEFLOW_TOPIC_PREFIX: prefix,
      EDGEFLOW_PROCESSORS: "scorer",
      EDGEFLOW_MODEL_DIR: modelDir,
      EDGEFLOW_SCORER_MAX_BATCH: "64",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return proc;
}

describe("scorer crash", () => {
  it("keeps exactly one prediction per event id for a read_committed consumer after SIGKILL and restart", async () => {
    const model = writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-crash-model-")), { name: "bike", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } });
    const states = new Map<string, BikeCounterState>();
    const expected = new Set<string>();
    for (const e of sample) {
      const step = stepBikeFeatures(states.get(e.counterId), e);
      states.set(e.counterId, step.state);
      if (step.kind === "features" && step.row.complete) expected.add(step.row.eventId);
    }
    expect(expected.size).toBeGreaterThan(20_000);

    features = await startStreamWorker(scorerConfig({ KAFKA_BROKERS: services.kafkaBrokers.join(","), EDGEFLOW_TOPIC_PREFIX: prefix, EDGEFLOW_PROCESSORS: "features" }));
    await ensureTopics(kafka, [{ topic: streams.topics.predictions, numPartitions: 4 }]);
    const predictions = await collect(kafka, streams.topics.predictions);
    await publishEvents(kafka, streams.events, sample);

    child = startScorer(model.dir);
    await predictions.until((n) => n >= expected.size * 0.3, 180_000);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const atKill = predictions.messages.length;
    expect(atKill).toBeLessThan(expected.size);

    child = startScorer(model.dir);
    await predictions.until((n) => n >= expected.size, 240_000);
    await new Promise((r) => setTimeout(r, 5_000)); // a duplicate would show up now
    child.kill("SIGTERM");
    const [code] = await new Promise<[number | null, string | null]>((r) => child!.once("exit", (c, s) => r([c, s])));
    expect(code, "a SIGTERM'd scorer finishes its batch and exits 0").toBe(0);

    const ids: string[] = [];
    for (const { message } of predictions.messages) ids.push((await streams.predictions.codec.deserialize(message.value!)).eventId);
    await predictions.stop();
    expect(ids.length).toBe(expected.size);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(expected);
  });
});
