// Wires a running API from its configuration: key store, served model (registry champion
// with hot swap, or a pinned folder), model-events (Kafka when brokers are set, in process
// otherwise), the registry poll, and the Node HTTP server. Used by main.ts and `edgeflow serve`.
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { ConfigError, createRegistryClient, type Env } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { InProcessModelEventPublisher, KafkaModelEventSubscriber, modelEventsTopic, openRegistry, registryConfig, type ModelRegistry } from "../registry/index.ts";
import type { ApiApp } from "./app.ts";
import { keyStoreFromConfig } from "./auth.ts";
import { ChampionFollower, pinnedModel } from "./champion.ts";
import { apiConfig, type ApiConfig } from "./config.ts";
import type { ServedModel } from "./context.ts";
import { createCounterStateStore } from "./counter-state.ts";
import { createNodeApi } from "./node-listener.ts";

export interface RunningApi {
  url: string;
  app: ApiApp;
  config: ApiConfig;
  close(): Promise<void>;
}

export async function startApi(env: Env = process.env): Promise<RunningApi> {
  const config = apiConfig(env);
  const log = createLogger("api");
  const keys = keyStoreFromConfig(config);
  if (keys.size === 0) {
    throw new ConfigError("no API keys: set EDGEFLOW_API_KEYS (name:sha256hex:predict|admin) or EDGEFLOW_API_KEYS_FILE; `edgeflow keys new <name> predict` makes one", [
      "EDGEFLOW_API_KEYS",
      "EDGEFLOW_API_KEYS_FILE",
    ]);
  }
  const closers: Array<() => Promise<void>> = [];
  let models: ServedModel;
  let registry: ModelRegistry | null = null;
  let follower: ChampionFollower | null = null;
  if (config.EDGEFLOW_MODEL_DIR) {
    const pinned = await pinnedModel(resolve(config.EDGEFLOW_MODEL_DIR), BIKE_FEATURE_SPEC.hash);
    closers.push(() => pinned.close());
    models = pinned;
  } else {
    const regConfig = registryConfig(env);
    const local = regConfig.events.kafkaBrokers.length === 0 ? new InProcessModelEventPublisher() : undefined;
    registry = openRegistry(regConfig, local ? { publisher: local } : {});
    const openedRegistry = registry;
    closers.push(() => openedRegistry.close());
    follower = new ChampionFollower({
      registry,
      name: config.EDGEFLOW_MODEL_NAME,
      featureSpecHash: BIKE_FEATURE_SPEC.hash,
      servingDir: resolve(config.EDGEFLOW_HOME, "serving", "api"),
    });
    const following = follower;
    closers.push(() => following.close());
    if (local) {
      local.subscribe((event) => void following.onEvent(event));
    } else {
      const topic = modelEventsTopic(regConfig.events.topicPrefix);
      const subscriber = new KafkaModelEventSubscriber({
        brokers: regConfig.events.kafkaBrokers,
        clientId: "edgeflow-api",
        registry: createRegistryClient(regConfig.events.schemaRegistryUrl),
        topic,
        groupPrefix: `edgeflow-api-${hostname()}-${process.pid}`,
        logger: createLogger("api-model-events", { topic }),
      });
      closers.push(() => subscriber.close());
      await subscriber.start((event) => following.onEvent(event));
    }
    const first = await follower.sync("start");
    log.info("initial champion check", { ...first });
    follower.startPolling(config.EDGEFLOW_API_POLL_SECONDS * 1000);
    models = follower;
  }

  const api = createNodeApi(
    {
      models,
      modelName: config.EDGEFLOW_MODEL_NAME,
      registry,
      champion: follower ?? undefined,
      keys,
      counters: createCounterStateStore(config.EDGEFLOW_API_MAX_COUNTERS),
      limits: {
        maxBatch: config.EDGEFLOW_API_MAX_BATCH,
        maxHistory: config.EDGEFLOW_API_MAX_HISTORY,
        bodyLimitBytes: config.EDGEFLOW_API_BODY_LIMIT_BYTES,
        ratePerSecond: config.EDGEFLOW_API_RATE_PER_SECOND,
        burst: config.EDGEFLOW_API_RATE_BURST,
      },
      logger: log,
    },
    { fastLane: config.EDGEFLOW_API_FAST_LANE },
  );

  const { app, server } = api;
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(config.PORT, config.HOST, () => {
      server.off("error", fail);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
  log.info("listening", { url, model: config.EDGEFLOW_MODEL_NAME, serving: models.current()?.version ?? null, clients: keys.size, pinned: Boolean(config.EDGEFLOW_MODEL_DIR) });
  return {
    url,
    app,
    config,
    async close() {
      // Stop accepting; idle keep-alive sockets go now, busy ones get a grace period.
      const closed = new Promise<void>((done) => server.close(() => done()));
      api.closeIdle();
      const grace = setTimeout(() => api.closeAll(), 5_000);
      await closed;
      clearTimeout(grace);
      for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn("close failed", { error }));
    },
  };
}
