// Wires the monitor on Kafka: the re-key step and the monitor processor (each its own consumer
// group, exactly once), the champion's reference (downloaded from the registry, followed on
// model-events and by polling), the InfluxDB sink and /metrics.
import { join } from "node:path";
import { createRegistryClient, edgeflowHome, type Env, type RegistryClient } from "../../schemas/index.ts";
import { createKafka, createLogger, runOnKafka, type RunningProcessor } from "../../stream/runtime/index.ts";
import { ChampionWatch, KafkaModelEventSubscriber, openRegistry, registryConfig, type ModelRegistry } from "../registry/index.ts";
import { serveMetrics } from "../shared/index.ts";
import { monitorSettings, type MonitorEnv } from "./config.ts";
import { InfluxSink } from "./influx-sink.ts";
import { driftMonitorProcessor } from "./monitor-processor.ts";
import { loadMonitoredModel, MonitoredModelHolder } from "./monitored-model.ts";
import type { MonitorSink } from "./points.ts";
import { monitorRekeyProcessor } from "./rekey-processor.ts";
import { pipelineStreams } from "./streams.ts";

const log = createLogger("monitor");

export interface RunningMonitor {
  model: MonitoredModelHolder;
  watch: ChampionWatch;
  running: RunningProcessor[];
  stop(): Promise<void>;
}

export interface MonitorDeps {
  registry?: ModelRegistry;
  sink?: MonitorSink;
  schemaRegistry?: RegistryClient;
  /** Raw environment for the registry's own settings (EDGEFLOW_REGISTRY, …); default process.env. */
  env?: Env;
}

export async function startMonitor(env: MonitorEnv, deps: MonitorDeps = {}): Promise<RunningMonitor> {
  const settings = monitorSettings(env);
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: "edgeflow-monitor" });
  const schemaRegistry = deps.schemaRegistry ?? createRegistryClient(env.SCHEMA_REGISTRY_URL);
  const prefix = env.EDGEFLOW_TOPIC_PREFIX;
  const streams = await pipelineStreams(schemaRegistry, prefix, env.EDGEFLOW_USE_CASE);
  const ownsRegistry = !deps.registry;
  const registry = deps.registry ?? openRegistry(registryConfig(deps.env ?? process.env));
  const home = edgeflowHome(env);

  let holder: MonitoredModelHolder | null = null;
  const watch = new ChampionWatch({
    registry,
    name: env.EDGEFLOW_MODEL_NAME,
    servingDir: join(home, "monitor", "references"),
    onChampion: async (dir) => {
      const model = await loadMonitoredModel(dir);
      if (holder) holder.set(model);
      else holder = new MonitoredModelHolder(model);
      if (model.notMonitored.length > 0) log.warn("features left out of drift monitoring", { version: model.version, notMonitored: model.notMonitored });
    },
  });
  for (let attempt = 0; !holder; attempt++) {
    const r = await watch.sync("start");
    if (holder) break;
    if (attempt % 12 === 0) log.warn("no usable champion yet; the monitor waits for one", { model: env.EDGEFLOW_MODEL_NAME, result: r });
    await new Promise((res) => setTimeout(res, 5_000));
  }
  const model: MonitoredModelHolder = holder;

  let sink = deps.sink;
  if (!sink) {
    const influx = new InfluxSink({ url: env.INFLUX_URL, database: env.INFLUX_DATABASE, username: env.INFLUX_USERNAME, password: env.INFLUX_PASSWORD });
    await influx.ensureDatabase();
    sink = influx;
  }

  const p = prefix ? `${prefix}.` : "";
  const common = { kafka, dlqTopic: streams.topics.dlq, partitions: env.EDGEFLOW_PARTITIONS, maxWaitMs: env.EDGEFLOW_FETCH_MAX_WAIT_MS };
  const running: RunningProcessor[] = [];
  running.push(
    await runOnKafka(
      monitorRekeyProcessor({
        name: `${p}monitor-rekey.${env.EDGEFLOW_USE_CASE}`,
        model: env.EDGEFLOW_MODEL_NAME,
        features: streams.features,
        predictions: streams.predictions,
        outcomes: streams.outcomes,
        observations: streams.observations,
      }),
      { ...common, changelog: false },
    ),
  );
  running.push(
    await runOnKafka(
      driftMonitorProcessor({
        name: `${p}monitor.${env.EDGEFLOW_USE_CASE}`,
        observations: streams.observations,
        events: streams.drift,
        model,
        sink,
        sourcePartitions: env.EDGEFLOW_PARTITIONS,
        ...settings,
      }),
      common,
    ),
  );

  // Processing time only moves when the monitor is called: tick it so idle sources are noticed.
  const ticks = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await ticks.connect();
  const tick = await streams.observations.codec.serialize({
    kind: "tick",
    model: env.EDGEFLOW_MODEL_NAME,
    version: null,
    eventId: "tick",
    entityId: "monitor",
    time: 0,
    sourcePartition: 0,
    values: [],
    specHash: null,
    prediction: null,
    actual: null,
  });
  const ticker = setInterval(() => {
    ticks.send({ topic: streams.observations.topic, messages: [{ key: env.EDGEFLOW_MODEL_NAME, value: tick }] }).catch((error: unknown) => log.warn("tick not sent", { error }));
  }, Math.max(1_000, settings.idleMs / 2));
  ticker.unref();

  const subscription = new KafkaModelEventSubscriber({ kafka, registry: schemaRegistry, topicPrefix: prefix, groupPrefix: `${p}monitor-model-events` });
  await subscription.start((e) => watch.onModelEvent(e));
  watch.startPolling(env.EDGEFLOW_CHAMPION_POLL);

  const server = serveMetrics(env.METRICS_PORT);
  log.info("monitor running", { model: model.current().name, version: model.current().version, window: settings.window, influx: env.INFLUX_URL });
  return {
    model,
    watch,
    running,
    async stop() {
      clearInterval(ticker);
      await ticks.disconnect().catch(() => undefined);
      await subscription.close().catch(() => undefined);
      await watch.close();
      for (const r of running) await r.stop();
      server?.close();
      await sink.close?.();
      if (ownsRegistry) await registry.close();
    },
  };
}
