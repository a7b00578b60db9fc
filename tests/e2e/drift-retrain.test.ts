// The closed loop on real Kafka, InfluxDB and the real Python trainer, on the Paris sample:
//
//   a model trained on September–October 2020 only (trainBikeModel, `to` 2020-11-01, the
//   default candidates) serves the stream worker (features → scorer → outcomes on Kafka);
//   the monitor (re-key + monitor processors) writes weekly drift and accuracy windows to
//   InfluxDB; as winter (and the second lockdown) arrives, three drifted weeks in a row put a
//   dataset_drift event on the drift topic; the retrainer snapshots the recent 12 weeks of
//   features joined with outcomes, trains, re-scores the champion on the candidate's holdout,
//   promotes; the scorer hot-swaps; the following weeks' live RMSE is lower.
//
// The replay goes a week at a time (Monday 00:00 UTC, the windows' alignment) and waits for
// every stage to catch up before the next week, and for a retraining run to end — in real
// time a week of traffic takes a week and a run a minute. Every step is asserted by reading
// InfluxDB, the topics and the registry.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InfluxDB } from "influx";
import type { Kafka } from "kafkajs";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRegistryClient, type BikeCountEvent, type DriftEvent, type FeatureVector, type Outcome, type Prediction, type RetrainRun } from "../../schemas/index.ts";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import { stepBikeFeatures, type BikeCounterState } from "../../stream/features/index.ts";
import { createKafka } from "../../stream/runtime/index.ts";
import { loadModelFolder } from "../../stream/scoring/index.ts";
import { RegressionMetrics } from "../../stream/outcomes/index.ts";
import { monitorConfig, pipelineStreams, startMonitor, type PipelineStreams, type RunningMonitor } from "../../services/monitor/index.ts";
import { CHAMPION, openRegistry, type ModelRegistry } from "../../services/registry/index.ts";
import { retrainerConfig, startRetrainer, type RunningRetrainer } from "../../services/retrainer/index.ts";
import { trainBikeModel, type TrainBikeResult } from "../../services/retrainer/train-bike.ts";
import { scorerConfig } from "../../services/scorer/config.ts";
import { startStreamWorker, type StreamWorker } from "../../services/scorer/worker.ts";
import { collect, deleteTopicsWithPrefix, publishEvents, type Collected } from "../support/kafka-collect.ts";

const services = inject("services");
const prefix = `e2e-drift-${randomUUID().slice(0, 8)}`;
const database = `e2e_drift_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
const home = mkdtempSync(join(tmpdir(), "ef-e2e-drift-"));
const MODEL = "bike-next-hour";
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const FIRST_MONDAY = Date.UTC(2020, 8, 7);
/** The replay ends once the window of the week starting 2020-12-28 has closed. */
const END = Date.UTC(2021, 0, 4, 6);

let kafka: Kafka;
let registry: ModelRegistry;
let streams: PipelineStreams;
let v1: TrainBikeResult;
let worker: StreamWorker | undefined;
let monitor: RunningMonitor | undefined;
let retrainer: RunningRetrainer | undefined;
let features: Collected;
let outcomes: Collected;
let predictions: Collected;
const url = new URL(services.influxUrl);
const influx = new InfluxDB({ host: url.hostname, port: Number(url.port || 8086), database });
const timeline: string[] = [];
const note = (line: string) => {
  timeline.push(line);
  process.stdout.write(`  [e2e] ${line}\n`);
};

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function triggersSeen(): Promise<number> {
  const metric = await register.getSingleMetric("edgeflow_retrain_triggers_total")?.get();
  return (metric?.values ?? []).filter((v) => v.labels.model === MODEL).reduce((s, v) => s + v.value, 0);
}

/** Outcomes the stream must emit for the events published so far (pure feature functions). */
class ExpectedOutcomes {
  private readonly states = new Map<string, BikeCounterState>();
  private readonly waiting = new Set<string>();
  count = 0;
  add(e: BikeCountEvent): void {
    const step = stepBikeFeatures(this.states.get(e.counterId), e);
    this.states.set(e.counterId, step.state);
    if (step.kind !== "features") return;
    const key = `${e.counterId}@${step.row.eventTime}`;
    if (this.waiting.delete(key)) this.count += 1;
    if (step.row.complete) this.waiting.add(`${e.counterId}@${step.row.targetTime}`);
  }
}

beforeAll(async () => {
  process.env.OMP_WAIT_POLICY ??= "PASSIVE"; // see services/retrainer/service.ts
  kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "e2e-drift" });
  const schemaRegistry = createRegistryClient("mock://");
  streams = await pipelineStreams(schemaRegistry, prefix, "bike-traffic");
  const registryRoot = join(home, "registry");
  registry = openRegistry({ backend: { kind: "file", root: registryRoot }, events: { kafkaBrokers: services.kafkaBrokers, schemaRegistryUrl: "mock://", topicPrefix: prefix } });

  const started = Date.now();
  v1 = await trainBikeModel({ registry, home, name: MODEL, to: "2020-11-01T00:00:00Z", promote: "always", progress: (l) => (l.startsWith("train: ") ? undefined : note(l)) });
  note(`v1 trained in ${((Date.now() - started) / 1000).toFixed(0)} s: ${v1.trained.chosen}, holdout rmse ${v1.version.card.metrics.test.rmse?.toFixed(2)}`);

  const env = {
    KAFKA_BROKERS: services.kafkaBrokers.join(","),
    EDGEFLOW_TOPIC_PREFIX: prefix,
    EDGEFLOW_REGISTRY: `file:${registryRoot}`,
    EDGEFLOW_HOME: home,
    EDGEFLOW_MODEL_NAME: MODEL,
  };
  worker = await startStreamWorker(scorerConfig(env), undefined, env);
  monitor = await startMonitor(
    // Bike defaults (weekly windows from Monday 00:00 UTC, Wasserstein/std ≥ 0.3, 3 windows in a row); the
    // idle time is long so that the pauses of this paced replay never count as idle partitions.
    monitorConfig({ ...env, INFLUX_URL: services.influxUrl, INFLUX_DATABASE: database, EDGEFLOW_DRIFT_IDLE: "5m", EDGEFLOW_CHAMPION_POLL: "2s" }),
    { registry, schemaRegistry },
  );
  // The fast candidate keeps the run near half a minute on this machine; the rest are the defaults.
  retrainer = await startRetrainer(retrainerConfig({ ...env, EDGEFLOW_RETRAIN_CANDIDATES: "lightgbm" }), { registry, schemaRegistry });
  features = await collect(kafka, streams.topics.features);
  outcomes = await collect(kafka, streams.topics.outcomes);
  predictions = await collect(kafka, streams.topics.predictions);

  const events: BikeCountEvent[] = [];
  for await (const e of readParisEvents()) {
    if (e.timestamp >= END) break;
    events.push(e);
  }
  const expected = new ExpectedOutcomes();
  const [rekey, mon] = monitor.running;
  let next = 0;
  for (let weekEnd = FIRST_MONDAY; next < events.length; weekEnd = Math.min(weekEnd + WEEK, END)) {
    const week: BikeCountEvent[] = [];
    while (next < events.length && events[next]!.timestamp < weekEnd) week.push(events[next++]!);
    for (const e of week) expected.add(e);
    await publishEvents(kafka, streams.events, week);
    await until(`outcomes up to ${new Date(weekEnd).toISOString()}`, () => outcomes.messages.length >= expected.count, 240_000);
    await until("the monitor to catch up", () => {
      // Every record the worker's processors (features + scorer fused, outcomes) committed.
      const produced = worker!.running.reduce((n, r) => n + r.stats().emitted, 0);
      return rekey!.stats().processed >= produced && mon!.stats().processed >= rekey!.stats().emitted;
    }, 120_000);
    await until("the retrainer to see every drift event", async () => (await triggersSeen()) >= mon!.stats().emitted, 60_000);
    const run = retrainer.retrainer.running();
    if (run) {
      note(`week ending ${new Date(weekEnd).toISOString().slice(0, 10)}: a retraining run is in progress; the replay waits`);
      const ended = await run;
      note(`run ${ended.runId} ${ended.status} after ${((ended.durations.total ?? 0) / 1000).toFixed(0)} s`);
      if (ended.status === "promoted") {
        await until("the scorer to serve the new champion", () => worker!.models?.current().version === ended.candidateVersion, 60_000);
        await until("the monitor to follow the new champion", () => monitor!.model.current().version === ended.candidateVersion, 60_000);
        note(`scorer and monitor now on v${ended.candidateVersion}`);
      }
    }
  }
  note(`replayed ${events.length} events up to ${new Date(END).toISOString()} in ${((Date.now() - started) / 1000).toFixed(0)} s (training included)`);
}, 600_000);

afterAll(async () => {
  await Promise.allSettled([features?.stop(), outcomes?.stop(), predictions?.stop()]);
  await retrainer?.stop();
  await monitor?.stop();
  await worker?.stop();
  await registry?.close();
  await influx.dropDatabase(database).catch(() => undefined);
  await deleteTopicsWithPrefix(kafka, prefix);
  process.stdout.write(`\n  timeline:\n${timeline.map((l) => `    ${l}`).join("\n")}\n`);
}, 120_000);

async function decode<T>(c: Collected, codec: { deserialize(b: Buffer): Promise<T> }): Promise<T[]> {
  return Promise.all(c.messages.map((m) => codec.deserialize(m.message.value!)));
}

async function topic<T>(name: string, codec: { deserialize(b: Buffer): Promise<T> }): Promise<T[]> {
  const c = await collect(kafka, name);
  await new Promise((r) => setTimeout(r, 1_500));
  await c.stop();
  return decode(c, codec);
}

interface Window {
  time: Date;
  version: string;
  drifted?: boolean;
  share?: number;
  rmse?: number;
  n?: number;
  partial?: boolean;
}

const day = (t: number | Date) => new Date(t).toISOString().slice(0, 10);

describe("drift → retrain → promotion on the Paris sample", () => {
  let driftEvents: DriftEvent[];
  let runs: RetrainRun[];

  beforeAll(async () => {
    driftEvents = await topic(streams.topics.drift, streams.drift.codec);
    runs = await topic(streams.topics.retrainRuns, streams.retrainRuns.codec);
  }, 60_000);

  it("writes weekly drift windows to InfluxDB: autumn matches the reference, winter drifts three weeks in a row", async () => {
    const windows = await influx.query<Window>(`SELECT share, drifted, rows, partial, version FROM drift_dataset WHERE model = '${MODEL}' ORDER BY time ASC`);
    const v1Windows = windows.filter((w) => w.version === "1");
    for (const w of windows) note(`drift window ${day(w.time)} v${w.version}: share ${w.share!.toFixed(2)}${w.drifted ? " DRIFTED" : ""}${w.partial ? " (partial)" : ""}`);
    expect(day(v1Windows[0]!.time)).toBe("2020-09-07");
    // Weeks inside the training period do not drift.
    const autumn = v1Windows.filter((w) => w.time.getTime() < Date.UTC(2020, 9, 19));
    expect(autumn.length).toBeGreaterThanOrEqual(6);
    expect(autumn.every((w) => !w.drifted)).toBe(true);
    // Three drifted weeks in a row once November comes.
    const winter = v1Windows.filter((w) => w.time.getTime() >= Date.UTC(2020, 9, 26));
    const firstRun = winter.findIndex((w, i) => w.drifted && winter[i + 1]?.drifted && winter[i + 2]?.drifted);
    expect(firstRun).toBeGreaterThanOrEqual(0);
    const features = await influx.query<{ feature: string }>(`SELECT value, feature FROM drift_feature WHERE model = '${MODEL}' AND version = '1' AND method = 'wasserstein' AND time = '${new Date(winter[firstRun]!.time).toISOString()}'`);
    expect(features.length).toBeGreaterThanOrEqual(15);
  });

  it("puts one dataset_drift event on the drift topic, for the third drifted week", async () => {
    const v1Drift = driftEvents.filter((e) => e.type === "dataset_drift" && e.version === "1");
    expect(v1Drift).toHaveLength(1);
    const e = v1Drift[0]!;
    note(`drift event ${e.eventId}: window ${day(e.windowStart)}..${day(e.windowEnd)}, ${e.reason}`);
    expect(e.consecutiveWindows).toBe(3);
    const windows = await influx.query<Window>(`SELECT drifted FROM drift_dataset WHERE model = '${MODEL}' AND version = '1' AND time <= '${new Date(e.windowStart).toISOString()}' ORDER BY time DESC LIMIT 3`);
    expect(windows.map((w) => w.drifted)).toEqual([true, true, true]);
    expect(e.windowStart).toBeGreaterThanOrEqual(Date.UTC(2020, 10, 2));
  });

  it("launches one retraining run that snapshots, trains, gates on the same holdout and promotes", async () => {
    const ids = [...new Set(runs.map((r) => r.runId))];
    expect(ids).toHaveLength(1);
    expect(runs.map((r) => r.status)).toEqual(["requested", "snapshot", "training", "gated", "promoted"]);
    const last = runs.at(-1)!;
    const event = driftEvents.find((e) => e.type === "dataset_drift")!;
    expect(last.trigger).toBe("drift");
    expect(last.triggerEvents).toEqual([event.eventId]);
    expect(last.snapshot!.to.slice(0, 10) < day(event.windowEnd)).toBe(true);
    expect(last.snapshot!.source).toContain(`${streams.topics.features}:`);
    expect(last.snapshot!.source).toContain(`${streams.topics.outcomes}:`);
    expect(last.holdoutId).toMatch(new RegExp(`^${last.snapshot!.id}:`));
    expect(last.championVersion).toBe("1");
    expect(last.candidateVersion).toBe("2");
    expect(last.candidateMetrics!.n).toBe(last.championMetrics!.n);
    expect(last.candidateMetrics!.rmse).toBeLessThan(last.championMetrics!.rmse! * 0.98);
    note(
      `run ${last.runId}: snapshot ${last.snapshot!.rows} rows ${last.snapshot!.from.slice(0, 10)}..${last.snapshot!.to.slice(0, 10)}; holdout ${last.candidateMetrics!.n} rows: ` +
        `candidate rmse ${last.candidateMetrics!.rmse!.toFixed(2)} vs champion ${last.championMetrics!.rmse!.toFixed(2)}; durations ${JSON.stringify(last.durations)}`,
    );
    const champion = await registry.get(MODEL, CHAMPION);
    expect(champion.version).toBe("2");
    expect(champion.card.gate).toMatchObject({ promote: true, holdoutId: last.holdoutId, championVersion: "1" });
  });

  it("has the scorer hot-swap: predictions of v2 follow the promotion", async () => {
    const all: Prediction[] = await decode(predictions, streams.predictions.codec);
    const v2 = all.filter((p) => p.version === "2");
    expect(v2.length).toBeGreaterThan(10_000);
    expect(worker!.models!.current().version).toBe("2");
    const firstV2 = Math.min(...v2.map((p) => p.targetTime));
    note(`first v2 prediction for ${new Date(firstV2).toISOString()}; ${v2.length} of ${all.length} predictions by v2`);
    expect(all.filter((p) => p.version === "1" && p.targetTime > firstV2 + WEEK)).toHaveLength(0);
  });

  it("lowers the live RMSE: the weeks after the swap beat the drifted weeks before it, and v1 on the very same rows", async () => {
    const event = driftEvents.find((e) => e.type === "dataset_drift")!;
    const perf = await influx.query<Window>(`SELECT rmse, n, version FROM performance WHERE model = '${MODEL}' ORDER BY time ASC`);
    for (const w of perf) note(`performance ${day(w.time)} v${w.version}: rmse ${w.rmse!.toFixed(2)} (n ${w.n})`);
    const pooled = (ws: Window[]) => Math.sqrt(ws.reduce((s, w) => s + w.rmse! ** 2 * w.n!, 0) / ws.reduce((s, w) => s + w.n!, 0));
    // Before: v1's weeks of the drift episode that launched the retrain.
    const episodeStart = event.windowStart - (event.consecutiveWindows - 1) * WEEK;
    const before = perf.filter((w) => w.version === "1" && w.time.getTime() >= episodeStart && w.time.getTime() <= event.windowStart);
    expect(before).toHaveLength(event.consecutiveWindows);
    // After: every week's outcomes of the new champion (performance windows are per version).
    const after = perf.filter((w) => w.version === "2");
    expect(after.length).toBeGreaterThanOrEqual(4);
    const rmseBefore = pooled(before);
    const rmseAfter = pooled(after);
    note(`live RMSE: v1 over the drift episode (${before.length} weeks) ${rmseBefore.toFixed(2)}; v2 over the ${after.length} weeks after the swap ${rmseAfter.toFixed(2)}`);
    expect(rmseAfter).toBeLessThan(rmseBefore);

    // Like for like: v1 re-scored on exactly the rows v2 served in those (closed) weeks.
    const weeks = new Set(after.map((w) => w.time.getTime()));
    const weekOf = (t: number) => Math.floor((t - FIRST_MONDAY) / WEEK) * WEEK + FIRST_MONDAY;
    const served: Outcome[] = (await decode(outcomes, streams.outcomes.codec)).filter((o) => o.version === "2" && weeks.has(weekOf(o.targetTime)));
    expect(served).toHaveLength(after.reduce((n, w) => n + w.n!, 0));
    const vectors = new Map<string, FeatureVector>();
    for (const f of await decode<FeatureVector>(features, streams.features.codec)) vectors.set(f.eventId, f);
    const oldModel = await loadModelFolder((await registry.download(MODEL, "1", join(home, "v1-again"))).dir);
    const rows = Float32Array.from(served.flatMap((o) => vectors.get(o.eventId)!.values));
    const old = await oldModel.predict(rows, served.length);
    await oldModel.close();
    const live = new RegressionMetrics();
    const counterfactual = new RegressionMetrics();
    served.forEach((o, i) => {
      live.add(o.prediction, o.actual);
      counterfactual.add(old[i]!, o.actual);
    });
    note(`same ${served.length} outcomes: v2 live rmse ${live.rmse.toFixed(2)}, v1 re-scored ${counterfactual.rmse.toFixed(2)}`);
    expect(live.rmse).toBeCloseTo(rmseAfter, 6);
    expect(live.rmse).toBeLessThan(counterfactual.rmse);
  });
});
