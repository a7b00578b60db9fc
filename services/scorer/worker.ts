// Wires config → Kafka runtime → processors for the stream worker.
import { join } from "node:path";
import { createRegistryClient, type Env, type FeatureVector } from "../../schemas/index.ts";
import { bikeStreams } from "../../examples/bike-traffic/streams.ts";
import { BIKE_FEATURE_SPEC, bikeActualFromFeatures, bikeFeatureProcessor } from "../../stream/features/index.ts";
import { outcomeJoiner } from "../../stream/outcomes/index.ts";
import { createKafka, fuse, runOnKafka, type RunningProcessor } from "../../stream/runtime/index.ts";
import { ModelHolder, scoringProcessor } from "../../stream/scoring/index.ts";
import { openRegistry, registryConfig, type ModelRegistry } from "../registry/index.ts";
import { serveMetrics } from "../shared/index.ts";
import type { ScorerConfig } from "./config.ts";
import { followChampionModel, type ChampionModel } from "./model-source.ts";

export interface StreamWorker {
  models: ModelHolder | null;
  running: RunningProcessor[];
  modelLabel(): string;
  stop(): Promise<void>;
}

export async function startStreamWorker(config: ScorerConfig, models?: ModelHolder, env: Env = process.env): Promise<StreamWorker> {
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: "edgeflow-stream-worker" });
  const { topics, events, features, predictions, outcomes } = await bikeStreams(config.EDGEFLOW_TOPIC_PREFIX, config.SCHEMA_REGISTRY_URL);

  const prefix = config.EDGEFLOW_TOPIC_PREFIX ? `${config.EDGEFLOW_TOPIC_PREFIX}.` : "";
  const common = { kafka, dlqTopic: topics.dlq, partitions: config.EDGEFLOW_PARTITIONS, maxWaitMs: config.EDGEFLOW_FETCH_MAX_WAIT_MS, concurrency: config.EDGEFLOW_PARTITION_CONCURRENCY };
  const running: RunningProcessor[] = [];
  let holder: ModelHolder | null = models ?? null;
  let modelRegistry: ModelRegistry | null = null;
  let champion: ChampionModel | null = null;
  const wants = new Set(config.EDGEFLOW_PROCESSORS);
  const featureProcessor = () => bikeFeatureProcessor({ name: `${prefix}features.${config.EDGEFLOW_USE_CASE}`, events, features });
  const fused = config.EDGEFLOW_FUSE && wants.has("features") && wants.has("scorer");
  if (wants.has("features") && !fused) running.push(await runOnKafka(featureProcessor(), common));
  if (wants.has("scorer")) {
    if (!holder && config.EDGEFLOW_MODEL_DIR) {
      holder = await ModelHolder.fromFolder(config.EDGEFLOW_MODEL_DIR, BIKE_FEATURE_SPEC.hash);
    } else if (!holder) {
      // The registry's champion, kept current through model-events (and a slow poll).
      modelRegistry = openRegistry(registryConfig(env));
      champion = await followChampionModel({
        registry: modelRegistry,
        name: config.EDGEFLOW_MODEL_NAME,
        featureSpecHash: BIKE_FEATURE_SPEC.hash,
        cacheDir: join(config.EDGEFLOW_HOME, "serving"),
        kafka,
        schemaRegistry: createRegistryClient(config.SCHEMA_REGISTRY_URL),
        topicPrefix: config.EDGEFLOW_TOPIC_PREFIX,
        pollMs: config.EDGEFLOW_MODEL_POLL_MS,
      });
      holder = champion.holder;
    }
    const scorer = scoringProcessor({ name: `${prefix}scorer.${config.EDGEFLOW_USE_CASE}`, features, predictions, models: holder, maxBatch: config.EDGEFLOW_SCORER_MAX_BATCH });
    if (fused) {
      running.push(await runOnKafka(fuse(featureProcessor(), "features", scorer, { name: `${prefix}features-scorer.${config.EDGEFLOW_USE_CASE}` }), common));
    } else {
      running.push(await runOnKafka(scorer, { ...common, changelog: false }));
    }
  }
  if (wants.has("outcomes")) {
    running.push(
      await runOnKafka(
        outcomeJoiner<FeatureVector>({
          name: `${prefix}outcomes.${config.EDGEFLOW_USE_CASE}`,
          predictions,
          actuals: features,
          outcomes,
          actualOf: bikeActualFromFeatures,
        }),
        common,
      ),
    );
  }
  const server = serveMetrics(config.METRICS_PORT);
  return {
    models: holder,
    running,
    modelLabel: () => (holder ? `${holder.current().name} v${holder.current().version}` : "none"),
    async stop() {
      await champion?.stop();
      for (const r of running) await r.stop();
      await modelRegistry?.close();
      server?.close();
      await holder?.close();
    },
  };
}
