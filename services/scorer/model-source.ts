// Where a scorer's model comes from: the registry's champion, downloaded (sha256-verified)
// into a local cache, and kept current. A `model-events` message is a trigger to re-read
// the champion — the registry is the source of truth, so an event that cannot be decoded
// (another process's mock:// schema ids) or is missed still leads to the right model; a
// slow poll covers registries changed without Kafka (the file registry from the CLI).
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { createLogger } from "../../stream/runtime/index.ts";
import type { ModelHolder } from "../../stream/scoring/index.ts";
import { CHAMPION, type ModelRegistry } from "../registry/index.ts";

const log = createLogger("model-source");

export async function downloadChampion(registry: ModelRegistry, name: string, cacheDir: string): Promise<string> {
  const champion = await registry.get(name, CHAMPION);
  const downloaded = await registry.download(name, champion.version, join(cacheDir, name, champion.version));
  return downloaded.dir;
}

export interface ChampionWatchOptions {
  registry: ModelRegistry;
  name: string;
  holder: ModelHolder;
  cacheDir: string;
  kafka?: Kafka;
  modelEventsTopic?: string;
  pollMs?: number;
}

export interface ChampionWatch {
  /** Re-reads the champion now and swaps if it changed; resolves when done. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export async function watchChampion(o: ChampionWatchOptions): Promise<ChampionWatch> {
  const refused = new Set<string>();
  let running: Promise<void> | null = null;
  const checkOnce = async () => {
    const champion = await o.registry.get(o.name, CHAMPION).catch(() => null);
    if (!champion || champion.version === o.holder.current().version || refused.has(champion.version)) return;
    try {
      const dir = await downloadChampion(o.registry, o.name, o.cacheDir);
      await o.holder.swapToFolder(dir);
    } catch (error) {
      // Refused (hash or feature spec) or not downloadable: keep serving, do not retry this version.
      refused.add(champion.version);
      log.error("champion not swapped in; the current model keeps serving", { model: o.name, version: champion.version, error });
    }
  };
  const check = () => {
    running ??= checkOnce().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void check(), o.pollMs ?? 10_000);
  timer.unref();
  let consumer: ReturnType<Kafka["consumer"]> | null = null;
  if (o.kafka && o.modelEventsTopic) {
    consumer = o.kafka.consumer({ groupId: `edgeflow-model-watch-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: o.modelEventsTopic, fromBeginning: false });
    await consumer.run({ eachMessage: async () => check() });
  }
  return {
    check,
    async stop() {
      clearInterval(timer);
      await consumer?.disconnect();
    },
  };
}
