// bench/stream: the bike pipeline (features → scorer, exactly-once transactions on) through
// real Kafka, beside kafkajs' raw consume rate on the same topic in the same run (the
// ceiling: no decode, no processing, no transactions).
//
//   npx tsx bench/stream/run.ts [--events 218609] [--rate 5000] [--seconds 30] [--instances 2]
//                               [--latency-instances 1,2] [--throughput-only] [--latency-only]
//
// The stream worker runs as it is deployed: `--instances` processes of services/scorer/main.ts
// in one consumer group (features and scorer fused), each owning its share of the 4
// partitions — the way a Kafka consumer scales to the cores it has.
//
// Kafka: KAFKA_BROKERS, else .edgeflow/services/env (npm run services:up).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Kafka } from "kafkajs";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import type { BikeCountEvent } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState } from "../../stream/features/index.ts";
import { createKafka, ensureTopics } from "../../stream/runtime/index.ts";
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

interface Workers {
  children: ChildProcess[];
  /** CPU seconds (user + system) each child has used so far. */
  cpuSeconds(): number[];
  stop(): Promise<void>;
}

function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks
}

function kafkaPid(): number | null {
  const f = join(process.env.EDGEFLOW_HOME ?? join(ROOT, ".edgeflow"), "services/kafka/pid");
  return existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : null;
}

/** Starts `n` stream worker processes (features + scorer, fused) serving `modelDir`. */
function startWorkers(n: number, prefix: string, modelDir: string, extra: Record<string, string> = {}): Workers {
  const children = Array.from({ length: n }, () =>
    // BENCH_WORKER_NODE_ARGS: extra node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    spawn(process.execPath, [...(process.env.BENCH_WORKER_NODE_ARGS?.split(" ").filter(Boolean) ?? []), "--import", "tsx", join(ROOT, "services/scorer/main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers().join(","),
        EDGEFLOW_TOPIC_PREFIX: prefix,
        EDGEFLOW_PROCESSORS: "features,scorer",
        EDGEFLOW_MODEL_DIR: modelDir,
        EDGEFLOW_PARTITION_CONCURRENCY: String(arg("concurrency", 1)),
        LOG_LEVEL: "warn",
        ...extra,
      },
      stdio: ["ignore", "inherit", "inherit"],
    }),
  );
  return {
    children,
    cpuSeconds: () => children.map((c) => cpuOf(c.pid!)),
    async stop() {
      await Promise.all(
        children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => { c.once("exit", r); c.kill("SIGTERM"); }))),
      );
    },
  };
}

/** Waits until the fused processor's consumer group has `n` members and is stable. */
async function groupReady(kafka: Kafka, groupId: string, n: number, timeoutMs = 120_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === "Stable" && groups[0].members.length === n) return;
      if (Date.now() > deadline) throw new Error(`${groupId}: ${n} members not stable after ${timeoutMs} ms (${groups[0]?.state}, ${groups[0]?.members.length})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

async function throughput(kafka: Kafka, streams: BikeStreams, prefix: string, sample: BikeCountEvent[], modelDir: string, instances: number) {
  // Serialized once, up front: during the measured run the bench only sends bytes.
  const messages = await Promise.all(sample.map(async (e) => ({ key: e.counterId, value: await streams.events.codec.serialize(e) })));
  const rawTopic = `${prefix}.raw-consume`;
  await ensureTopics(kafka, [rawTopic, streams.topics.events, streams.topics.features, streams.topics.predictions].map((topic) => ({ topic, numPartitions: 4 })));
  await sendAll(kafka, rawTopic, messages);
  const raw = await rawConsumeRate(kafka, rawTopic, sample.length);
  const expected = scorable(sample);
  const predictions = await collect(kafka, streams.topics.predictions);
  const kpid = kafkaPid();

  // (a) Events already in Kafka (the backlog a restarted or scaled-out pipeline works off):
  // the instances join first; the whole sample is then written in one producer transaction,
  // so the workers see all of it at once, at its commit, with the producer's work done.
  const backlogWorkers = startWorkers(instances, prefix, modelDir);
  await groupReady(kafka, `${prefix}.features-scorer.bike-traffic`, instances);
  const backlogCpu0 = backlogWorkers.cpuSeconds();
  const committedAt = await sendAllInOneTransaction(kafka, streams.topics.events, messages);
  await predictions.until((n) => n >= expected, 900_000);
  const backlogEnd = performance.now();
  const backlogCpu = backlogWorkers.cpuSeconds().map((c, i) => c - backlogCpu0[i]!);
  await backlogWorkers.stop();
  const backlog = {
    predictions: predictions.messages.length,
    seconds: (backlogEnd - committedAt) / 1000,
    rate: (sample.length / (backlogEnd - committedAt)) * 1000,
    cpu: backlogCpu,
  };
  await predictions.stop();

  // (b) Live: the instances up and idle, then the whole sample sent as fast as a producer can.
  const live = await bikeStreams(`${prefix}-live`);
  await ensureTopics(kafka, [live.topics.events, live.topics.features, live.topics.predictions].map((topic) => ({ topic, numPartitions: 4 })));
  const livePredictions = await collect(kafka, live.topics.predictions);
  const workers = startWorkers(instances, `${prefix}-live`, modelDir);
  await groupReady(kafka, `${prefix}-live.features-scorer.bike-traffic`, instances);
  const kafkaCpu0 = kpid ? cpuOf(kpid) : NaN;
  const cpu0 = workers.cpuSeconds();
  const started = performance.now();
  await sendAll(kafka, live.topics.events, messages);
  const published = performance.now();
  await livePredictions.until((n) => n >= expected, 900_000);
  const ended = performance.now();
  const cpu = workers.cpuSeconds().map((c, i) => c - cpu0[i]!);
  const kafkaCpu = kpid ? cpuOf(kpid) - kafkaCpu0 : NaN;
  const count = livePredictions.messages.length;
  await workers.stop();
  await livePredictions.stop();
  return { raw, backlog, count, seconds: (ended - started) / 1000, publishSeconds: (published - started) / 1000, rate: (sample.length / (ended - started)) * 1000, cpu, kafkaCpu, events: sample.length };
}

/** Sends every message in one transaction; resolves with the time of its commit. */
async function sendAllInOneTransaction(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<number> {
  const producer = kafka.producer({ transactionalId: `bench-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 120_000 });
  await producer.connect();
  const tx = await producer.transaction();
  for (let i = 0; i < messages.length; i += 5_000) await tx.send({ topic, acks: -1, messages: messages.slice(i, i + 5_000) });
  await tx.commit();
  const at = performance.now();
  await producer.disconnect();
  return at;
}

async function sendAll(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < messages.length; i += 5_000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 5_000) });
  await producer.disconnect();
}

async function latencyAtRate(kafka: Kafka, streams: BikeStreams, prefix: string, sample: BikeCountEvent[], modelDir: string, rate: number, seconds: number, instances: number) {
  await ensureTopics(kafka, [streams.topics.events, streams.topics.features, streams.topics.predictions].map((topic) => ({ topic, numPartitions: 4 })));
  const workers = startWorkers(instances, prefix, modelDir, { EDGEFLOW_FETCH_MAX_WAIT_MS: "20" });
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
  await groupReady(kafka, `${prefix}.features-scorer.bike-traffic`, instances);
  // Warm-up: the first week of each counter is not scorable; send it unpaced.
  const warm = sample.slice(0, 25 * 200);
  await publishEvents(kafka, streams.events, warm);
  const deadline = Date.now() + 60_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2_000));
  latencies.length = 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const total = Math.min(sample.length - warm.length, rate * seconds);
  const cpu0 = workers.cpuSeconds();
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
  const cpu = workers.cpuSeconds().map((c, i) => c - cpu0[i]!);
  await producer.disconnect();
  await consumer.disconnect();
  await workers.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { achieved, n: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted.at(-1) ?? NaN, cpu, total };
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
  const instances = arg("instances", 2);
  console.log(`stream worker: ${instances} process(es) of services/scorer/main.ts, features + scorer fused, 4 partitions`);
  try {
    const t = process.argv.includes("--latency-only")
      ? { raw: NaN, backlog: { predictions: 0, seconds: NaN, rate: NaN, cpu: [NaN] }, count: 0, seconds: NaN, publishSeconds: NaN, rate: NaN, cpu: [NaN], kafkaCpu: NaN, events: 0 }
      : await throughput(kafka, await bikeStreams(prefixA), prefixA, sample, model.dir, instances);
    // Latency at the offered rate, for each instance count of --latency-instances (default 1,2).
    const li = process.argv.indexOf("--latency-instances");
    const latencyInstances = li > 0 ? process.argv[li + 1]!.split(",").map(Number) : [1, 2];
    const ls = [];
    if (!process.argv.includes("--throughput-only")) {
      for (const n of latencyInstances) {
        const p = `${prefixB}-${n}`;
        ls.push({ instances: n, ...(await latencyAtRate(kafka, await bikeStreams(p), p, sample, model.dir, rate, seconds, n)) });
      }
    }
    const us = (cpuS: number, n: number) => ((cpuS / n) * 1e6).toFixed(0);
    const workerCpu = t.cpu.reduce((a, b) => a + b, 0);
    console.log("");
    console.log("| measure | value |");
    console.log("|---|---|");
    console.log(`| kafkajs raw consume (ceiling: no decode, no work, no transactions) | ${t.raw.toFixed(0)} msg/s |`);
    console.log(`| edgeflow, exactly-once, events already in Kafka (${instances} instances): events made visible at once → last prediction committed | **${t.backlog.rate.toFixed(0)} events/s** (${t.events} events, ${t.backlog.predictions} predictions in ${t.backlog.seconds.toFixed(1)} s) |`);
    console.log(`| edgeflow, exactly-once, live: first event sent → last prediction committed | **${t.rate.toFixed(0)} events/s** (${t.events} events, ${t.count} predictions in ${t.seconds.toFixed(1)} s; sending took ${t.publishSeconds.toFixed(1)} s) |`);
    console.log(`| ratio edgeflow (events in Kafka) / raw consume | ${(t.backlog.rate / t.raw).toFixed(3)} |`);
    for (const l of ls) console.log(`| event → prediction latency at ${l.achieved.toFixed(0)} events/s offered, ${l.instances} instance(s) (read_committed) | p50 ${l.p50} ms, **p99 ${l.p99} ms**, max ${l.max} ms (n=${l.n}) |`);
    console.log("\nwhere the time goes (throughput run):");
    console.log(`  events in Kafka: stream workers ${t.backlog.cpu.map((c) => c.toFixed(1)).join(" + ")} CPU s = ${us(t.backlog.cpu.reduce((a, b) => a + b, 0), t.events)} µs of CPU per event`);
    console.log(`  live: stream workers: ${t.cpu.map((c) => c.toFixed(1)).join(" + ")} CPU s = ${us(workerCpu, t.events)} µs of CPU per event (all threads)`);
    console.log(`  Kafka broker:   ${t.kafkaCpu.toFixed(1)} CPU s = ${us(t.kafkaCpu, t.events)} µs per event`);
    for (const l of ls) console.log(`  at ${l.achieved.toFixed(0)} events/s, ${l.instances} instance(s): stream workers ${l.cpu.map((c) => c.toFixed(1)).join(" + ")} CPU s for ${l.total} events = ${us(l.cpu.reduce((a, b) => a + b, 0), l.total)} µs per event`);
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
