// Wires the retrainer for a deployment: training rows from the topics (Kafka, or an embedded
// runtime's directory), runs recorded on retrain-runs, triggers from the drift topic and the
// schedule, the registry from EDGEFLOW_REGISTRY.
import { join } from "node:path";
import { createRegistryClient, edgeflowHome, type Env, type RegistryClient } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { createKafka, createLogger, ensureTopics } from "../../stream/runtime/index.ts";
import { embeddedTopicScanner, kafkaTopicScanner, pipelineStreams, type PipelineStreams, type TopicScanner } from "../monitor/index.ts";
import { openRegistry, registryConfig, type ModelRegistry } from "../registry/index.ts";
import { serveMetrics } from "../shared/index.ts";
import type { RetrainerEnv } from "./config.ts";
import type { RetrainDeps, RetrainSettings } from "./retrain.ts";
import { Retrainer, subscribeDriftEvents, type AutomaticTrigger } from "./retrainer.ts";
import { KafkaRunRecorder, MemoryRunRecorder, type RunRecorder } from "./run-recorder.ts";
import { recentTrainingRows } from "./training-rows.ts";
import type { RetrainRun } from "../../schemas/index.ts";

const log = createLogger("retrainer");

export function retrainSettings(env: RetrainerEnv): RetrainSettings {
  const home = edgeflowHome(env);
  return {
    model: env.EDGEFLOW_MODEL_NAME,
    useCase: env.EDGEFLOW_USE_CASE,
    spec: BIKE_FEATURE_SPEC,
    label: "count_next_hour",
    workDir: join(home, "retrainer"),
    windowMs: env.EDGEFLOW_RETRAIN_WINDOW,
    holdoutFraction: env.EDGEFLOW_RETRAIN_HOLDOUT_FRACTION,
    candidates: env.EDGEFLOW_RETRAIN_CANDIDATES,
    trials: env.EDGEFLOW_RETRAIN_TRIALS,
    margin: env.EDGEFLOW_RETRAIN_MARGIN,
    ...(env.EDGEFLOW_TRAINER_PYTHON ? { python: env.EDGEFLOW_TRAINER_PYTHON } : {}),
    // OpenMP threads that spin while waiting slow LightGBM down ~10x on a busy 2-core machine
    // (measured: 283 s instead of 20 s); waiting passively costs nothing when cores are free.
    trainerEnv: { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? "PASSIVE" },
  };
}

export interface RetrainerParts {
  streams: PipelineStreams;
  scanner: TopicScanner;
  recorder: RunRecorder;
  deps: RetrainDeps;
  settings: RetrainSettings;
  registry: ModelRegistry;
  close(): Promise<void>;
}

/** Registry, streams, topic scanner and run recorder for one model: Kafka when brokers are set, else the embedded directory. */
export async function retrainerParts(
  env: RetrainerEnv,
  options: { registry?: ModelRegistry; schemaRegistry?: RegistryClient; embeddedDir?: string; rawEnv?: Env } = {},
): Promise<RetrainerParts> {
  const settings = retrainSettings(env);
  const schemaRegistry = options.schemaRegistry ?? createRegistryClient(env.SCHEMA_REGISTRY_URL);
  const streams = await pipelineStreams(schemaRegistry, env.EDGEFLOW_TOPIC_PREFIX, env.EDGEFLOW_USE_CASE);
  const registry = options.registry ?? openRegistry(registryConfig(options.rawEnv ?? process.env));
  let scanner: TopicScanner;
  let recorder: RunRecorder;
  if (env.KAFKA_BROKERS.length > 0) {
    const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: "edgeflow-retrainer" });
    scanner = kafkaTopicScanner(kafka);
    recorder = new KafkaRunRecorder(kafka, streams.retrainRuns);
  } else {
    const home = edgeflowHome(env);
    scanner = embeddedTopicScanner(options.embeddedDir ?? join(home, "embedded", env.EDGEFLOW_USE_CASE));
    recorder = new MemoryRunRecorder();
  }
  const lookback = env.EDGEFLOW_RETRAIN_SCAN_LOOKBACK > 0 ? env.EDGEFLOW_RETRAIN_SCAN_LOOKBACK : 2 * env.EDGEFLOW_RETRAIN_WINDOW;
  const deps: RetrainDeps = {
    registry,
    rows: ({ until }) => recentTrainingRows(scanner, streams, { windowMs: settings.windowMs, until, sinceLogTime: Date.now() - lookback }),
    record: (run) => recorder.record(run),
  };
  return {
    streams,
    scanner,
    recorder,
    deps,
    settings,
    registry,
    async close() {
      await recorder.close();
      if (!options.registry) await registry.close();
    },
  };
}

export interface RunningRetrainer {
  retrainer: Retrainer;
  parts: RetrainerParts;
  stop(): Promise<void>;
}

export async function startRetrainer(
  env: RetrainerEnv,
  options: { registry?: ModelRegistry; schemaRegistry?: RegistryClient; rawEnv?: Env } = {},
): Promise<RunningRetrainer> {
  if (env.KAFKA_BROKERS.length === 0) throw new Error("the retrainer service needs KAFKA_BROKERS (for one run on the embedded runtime use `edgeflow retrain`)");
  const parts = await retrainerParts(env, options);
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: "edgeflow-retrainer" });
  const retrainer = new Retrainer({
    settings: parts.settings,
    deps: parts.deps,
    cooldownMs: env.EDGEFLOW_RETRAIN_COOLDOWN,
    triggers: new Set<AutomaticTrigger>(env.EDGEFLOW_RETRAIN_TRIGGERS),
  });
  await ensureTopics(kafka, [
    { topic: parts.streams.topics.drift, numPartitions: env.EDGEFLOW_PARTITIONS },
    { topic: parts.streams.topics.retrainRuns, numPartitions: 1 },
  ]);
  const history: RetrainRun[] = [];
  await parts.scanner.scan(parts.streams.retrainRuns, (run) => history.push(run));
  retrainer.restore(history);
  const prefix = env.EDGEFLOW_TOPIC_PREFIX ? `${env.EDGEFLOW_TOPIC_PREFIX}.` : "";
  const subscription = await subscribeDriftEvents({
    kafka,
    stream: parts.streams.drift,
    groupId: `${prefix}retrainer.${env.EDGEFLOW_MODEL_NAME}`,
    onEvent: (event) => retrainer.onDriftEvent(event),
  });
  retrainer.schedule(env.EDGEFLOW_RETRAIN_CRON, env.EDGEFLOW_RETRAIN_TIMEZONE);
  const server = serveMetrics(env.METRICS_PORT);
  log.info("retrainer running", { model: env.EDGEFLOW_MODEL_NAME, triggers: env.EDGEFLOW_RETRAIN_TRIGGERS, cron: env.EDGEFLOW_RETRAIN_CRON, cooldownMs: env.EDGEFLOW_RETRAIN_COOLDOWN });
  return {
    retrainer,
    parts,
    async stop() {
      await subscription.close().catch(() => undefined);
      await retrainer.stop();
      server?.close();
      await parts.close();
    },
  };
}
