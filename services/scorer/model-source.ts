// Where a scorer's model comes from: the registry's champion, downloaded (sha256-verified)
// into a local cache, and kept current by the registry's ChampionWatch (the follower the API
// and the monitor use too). A `model-events` message is a trigger to re-read the champion —
// the registry is the source of truth, so an event that cannot be decoded (another process's
// mock:// schema ids) or is missed still leads to the right model; a slow poll covers
// registries changed without Kafka (the file registry from the CLI).
import type { Kafka } from "kafkajs";
import type { RegistryClient } from "../../schemas/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { ModelHolder } from "../../stream/scoring/index.ts";
import { ChampionWatch, KafkaModelEventSubscriber, ModelNotFoundError, RegistryBackendError, type ModelRegistry } from "../registry/index.ts";

export interface ChampionModelOptions {
  registry: ModelRegistry;
  name: string;
  featureSpecHash: string;
  /** Versions are downloaded to `<cacheDir>/<name>/<version>`. */
  cacheDir: string;
  /** model-events on Kafka, when given. */
  kafka?: Kafka;
  schemaRegistry?: RegistryClient;
  topicPrefix?: string;
  pollMs?: number;
}

export interface ChampionModel {
  holder: ModelHolder;
  watch: ChampionWatch;
  stop(): Promise<void>;
}

/** Loads the champion now (throws when there is none to serve) and follows it from then on. */
export async function followChampionModel(o: ChampionModelOptions): Promise<ChampionModel> {
  let holder: ModelHolder | null = null;
  let refusal: unknown = null;
  const watch = new ChampionWatch({
    registry: o.registry,
    name: o.name,
    servingDir: o.cacheDir,
    // A version this scorer refused stays refused for the life of the process.
    refusalRetryMs: Number.POSITIVE_INFINITY,
    logger: createLogger("model-source", { model: o.name }),
    onChampion: async (dir) => {
      if (holder) await holder.swapToFolder(dir);
      else holder = await ModelHolder.fromFolder(dir, o.featureSpecHash);
    },
    onRefused: (error) => {
      refusal = error;
    },
  });
  const first = await watch.sync("start");
  if (first.status === "refused") throw refusal;
  if (first.status === "failed") throw new RegistryBackendError(`${o.name}: the champion could not be read: ${first.reason}`);
  if (!holder) throw new ModelNotFoundError(`${o.name}: no champion in the registry`);
  const loaded: ModelHolder = holder;

  let subscriber: KafkaModelEventSubscriber | null = null;
  if (o.kafka && o.schemaRegistry) {
    subscriber = new KafkaModelEventSubscriber({ kafka: o.kafka, registry: o.schemaRegistry, topicPrefix: o.topicPrefix, groupPrefix: "edgeflow-model-watch" });
    await subscriber.start((event) => watch.onModelEvent(event));
  }
  watch.startPolling(o.pollMs ?? 10_000);
  return {
    holder: loaded,
    watch,
    async stop() {
      await subscriber?.close();
      await watch.close();
    },
  };
}
