// bench/stream: the bike pipeline (features → scorer, exactly-once transactions on) through
// real Kafka, beside kafkajs' raw consume rate on the same topic in the same run (the
// ceiling: no decode, no processing, no transactions).
//
//   npx tsx bench/stream/run.ts [--events 218609] [--rate 5000] [--seconds 30] [--throughput-only]
//
// Kafka: KAFKA_BROKERS, else .edgeflow/services/env (npm run services:up).
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { register, type Histogram } from "prom-client";
import type { Kafka } from "kafkajs";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import type { BikeCountEvent } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState } from "../../stream/features/index.ts";
import { createKafka, ensureTopics } from "../../stream/runtime/index.ts";
import { ModelHolder } from "../../stream/scoring/index.ts";
import { scorerConfig } from "../../services/scorer/config.ts";
import { startStreamWorker } from "../../services/scorer/worker.ts";
import { CHAMPION, openRegistry, registryConfig } from "../../services/registry/index.ts";
import { bikeStreams, type BikeStreams } from "../../tests/support/bike-pipeline.ts";
import { collect, deleteTopicsWithPrefix, publishEvents } from "../../tests/support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../tests/support/linear-model.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

function brokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(",");
  const env = join(process.env.EDGEFLOW_HOME ?? join(ROOT, ".edgeflow"), "services/env");
  if (!existsSync(env)) throw new Error("no Kafka: set KAFKA_BROKERS or run `npm run services:up`");
  const m = /KAFKA_BROKERS=(\S+)/.exec(readFileSync(env, "utf8"));
  if (!m) throw new Error(`${env} has no KAFKA_BROKERS`);
  return m[1]!.split(",");
}

async function modelFolder(): Promise<{ dir: string; label: string }> {
  const registry = openRegistry(registryConfig());
  try {
    const champion = await registry.get("bike-next-hour", CHAMPION);
    const d = await registry.download("bike-next-hour", CHAMPION, mkdtempSync(join(tmpdir(), "ef-bench-model-")));
    return { dir: d.dir, label: `registry champion v${champion.version} (${champion.card.chosen.name})` };
  } catch {
    const dir = writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-bench-model-")), { name: "bike-next-hour", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } }).dir;
    return { dir, label: "linear test model (no champion in the registry; run `npm start` or `edgeflow train` for the LightGBM one)" };
  } finally {
    await registry.close();
  }
}

function scorable(events: BikeCountEvent[]): number {
  const states = new Map<string, BikeCounterState>();
  let n = 0;
  for (const e of events) {
    const step = stepBikeFeatures(states.get(e.counterId), e);
    states.set(e.counterId, step.state);
    if (step.kind === "features" && step.row.complete) n += 1;
  }
  return n;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function rawConsumeRate(kafka: Kafka, topic: string, n: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<number>((resolveRate) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        seen += batch.messages.length;
        if (seen >= n) resolveRate((seen / (performance.now() - started)) * 1000);
      },
    });
  });
  const rate = await done;
  await consumer.disconnect();
  return rate;
}

async function throughput(kafka: Kafka, streams: BikeStreams, prefix: string, sample: BikeCountEvent[], modelDir: string) {
  await publishEvents(kafka, streams.events, sample);
  await ensureTopics(kafka, [{ topic: streams.topics.predictions, numPartitions: 4 }]);
  const raw = await rawConsumeRate(kafka, streams.topics.events, sample.length);
  const expected = scorable(sample);
  const predictions = await collect(kafka, streams.topics.predictions);
  const started = performance.now();
  const worker = await startStreamWorker(
    scorerConfig({ KAFKA_BROKERS: brokers().join(","), EDGEFLOW_TOPIC_PREFIX: prefix, EDGEFLOW_PROCESSORS: "features,scorer", EDGEFLOW_PARTITION_CONCURRENCY: String(arg("concurrency", 1)) }),
    await ModelHolder.fromFolder(modelDir, BIKE_FEATURE_SPEC.hash),
  );
  await predictions.until((n) => n >= expected, 900_000);
  const seconds = (performance.now() - started) / 1000;
  const count = predictions.messages.length;
  await worker.stop();
  await predictions.stop();
  return { raw, pipeline: count / seconds, count, seconds };
}

async function latencyAtRate(kafka: Kafka, streams: BikeStreams, prefix: string, sample: BikeCountEvent[], modelDir: string, rate: number, seconds: number) {
  await ensureTopics(kafka, [streams.topics.events, streams.topics.features, streams.topics.predictions].map((topic) => ({ topic, numPartitions: 4 })));
  const worker = await startStreamWorker(
    scorerConfig({ KAFKA_BROKERS: brokers().join(","), EDGEFLOW_TOPIC_PREFIX: prefix, EDGEFLOW_PROCESSORS: "features,scorer", EDGEFLOW_FETCH_MAX_WAIT_MS: "20", EDGEFLOW_PARTITION_CONCURRENCY: String(arg("concurrency", 1)) }),
    await ModelHolder.fromFolder(modelDir, BIKE_FEATURE_SPEC.hash),
  );
  const received: number[] = [];
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-lat-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: streams.topics.predictions, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const p = await streams.predictions.codec.deserialize(m.value!);
        latencies.push(now - p.ingestedAt);
        received.push(now);
      }
    },
  });
  // Warm-up: the first week of each counter is not scorable; send it unpaced.
  const warm = sample.slice(0, 25 * 200);
  await publishEvents(kafka, streams.events, warm);
  await new Promise((r) => setTimeout(r, 3_000));
  latencies.length = 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const total = Math.min(sample.length - warm.length, rate * seconds);
  const start = performance.now();
  for (let sent = 0, tick = 0; sent < total; tick++) {
    const chunk = sample.slice(warm.length + sent, warm.length + sent + perTick);
    const messages = await Promise.all(chunk.map(async (e) => ({ key: e.counterId, value: await streams.events.codec.serialize(e) })));
    await producer.send({ topic: streams.topics.events, acks: -1, messages });
    sent += chunk.length;
    const wait = start + (tick + 1) * tickMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const achieved = (total / (performance.now() - start)) * 1000;
  await new Promise((r) => setTimeout(r, 3_000));
  await producer.disconnect();
  await consumer.disconnect();
  await worker.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { achieved, n: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted.at(-1) ?? NaN };
}

async function batchBreakdown(): Promise<string[]> {
  const h = register.getSingleMetric("edgeflow_stream_batch_duration_seconds") as Histogram | undefined;
  if (!h) return [];
  const data = await h.get();
  const sums = data.values.filter((v) => v.metricName?.endsWith("_sum"));
  const counts = data.values.filter((v) => v.metricName?.endsWith("_count"));
  return sums.map((s) => {
    const c = counts.find((x) => x.labels.processor === s.labels.processor)!;
    return `  ${String(s.labels.processor).padEnd(38)} ${c.value} batches, ${(s.value).toFixed(1)} s in process+commit, ${((s.value / c.value) * 1000).toFixed(1)} ms/batch`;
  });
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= "warn";
  const nEvents = arg("events", 218_609);
  const rate = arg("rate", 5_000);
  const seconds = arg("seconds", 30);
  const kafka = createKafka({ brokers: brokers(), clientId: "bench-stream" });
  const sample: BikeCountEvent[] = [];
  for await (const e of readParisEvents()) {
    if (sample.length >= nEvents) break;
    sample.push(e);
  }
  const model = await modelFolder();
  console.log(`bench/stream — ${sample.length} Paris events, model: ${model.label}`);
  const prefixA = `bench-${randomUUID().slice(0, 8)}`;
  const prefixB = `bench-${randomUUID().slice(0, 8)}`;
  try {
    const t = await throughput(kafka, await bikeStreams(prefixA), prefixA, sample, model.dir);
    const breakdown = await batchBreakdown();
    const l = process.argv.includes("--throughput-only")
      ? { achieved: NaN, n: 0, p50: NaN, p99: NaN, max: NaN }
      : await latencyAtRate(kafka, await bikeStreams(prefixB), prefixB, sample, model.dir, rate, seconds);
    console.log("");
    console.log("| measure | value |");
    console.log("|---|---|");
    console.log(`| kafkajs raw consume (ceiling: no decode, no work, no transactions) | ${t.raw.toFixed(0)} msg/s |`);
    console.log(`| edgeflow features → scorer, exactly-once, end to end | ${t.pipeline.toFixed(0)} events/s (${t.count} predictions in ${t.seconds.toFixed(1)} s) |`);
    console.log(`| ratio edgeflow / raw consume | ${(t.pipeline / t.raw).toFixed(2)} |`);
    console.log(`| event → prediction latency at ${l.achieved.toFixed(0)} events/s offered (read_committed) | p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (n=${l.n}) |`);
    console.log("\nwhere the time goes (throughput run, per processor):");
    for (const line of breakdown) console.log(line);
  } finally {
    await deleteTopicsWithPrefix(kafka, prefixA);
    await deleteTopicsWithPrefix(kafka, prefixB);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
