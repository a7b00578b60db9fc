// Follows a model's champion in the registry: downloads a new champion (the registry verifies
// its sha256) and hands the folder to `onChampion`, which loads it (the monitor: its reference
// profile; a scorer: its ONNX model). Triggers: model-events (promoted / rolled_back of this
// model), a poll (a file registry changed by another process may have no event bus), and
// explicit calls. Syncs run one at a time; calls made while one is queued share it. A version
// `onChampion` refuses keeps the current one in place and is retried after a while.
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { randomUUID } from "node:crypto";
import { ModelEvent, ModelEventAvro, createAvroCodec, type RegistryClient } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { CHAMPION, type ModelRegistry, type ModelVersion } from "../registry/index.ts";

export type WatchResult = { status: "unchanged" | "changed"; version: string } | { status: "no-champion" } | { status: "refused" | "failed"; reason: string };

export interface ChampionWatchOptions {
  registry: Pick<ModelRegistry, "get" | "download">;
  name: string;
  /** Versions are downloaded to `<servingDir>/<name>/<version>`. */
  servingDir: string;
  onChampion(dir: string, version: ModelVersion): Promise<void>;
  /** A refused version is tried again after this long (default 60 s). */
  refusalRetryMs?: number;
  logger?: Logger;
}

export class ChampionWatch {
  private current: string | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<WatchResult> | null = null;
  private readonly refused = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private readonly options: ChampionWatchOptions) {
    this.log = options.logger ?? createLogger("champion-watch", { model: options.name });
  }

  get version(): string | null {
    return this.current;
  }

  sync(trigger: string): Promise<WatchResult> {
    if (this.queued) return this.queued;
    const next = this.tail.then(() => {
      this.queued = null;
      return this.syncOnce(trigger);
    });
    this.queued = next;
    this.tail = next.catch(() => undefined);
    return next;
  }

  onModelEvent(event: Pick<ModelEvent, "model" | "type">): Promise<WatchResult> | null {
    if (event.model !== this.options.name || (event.type !== "promoted" && event.type !== "rolled_back")) return null;
    return this.sync(`event:${event.type}`);
  }

  startPolling(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.sync("poll"), everyMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tail;
  }

  private async syncOnce(trigger: string): Promise<WatchResult> {
    const { registry, name } = this.options;
    try {
      const champion = await registry.get(name, CHAMPION).catch((error: { code?: string }) => {
        if (error.code === "MODEL_NOT_FOUND") return null;
        throw error;
      });
      if (!champion) return { status: "no-champion" };
      if (champion.version === this.current) return { status: "unchanged", version: champion.version };
      const key = `${champion.version}:${champion.card.modelSha256}`;
      const refusedAt = this.refused.get(key);
      if (refusedAt !== undefined && Date.now() - refusedAt < (this.options.refusalRetryMs ?? 60_000)) return { status: "refused", reason: "refused recently" };
      try {
        const { dir, version } = await registry.download(name, champion.version, join(this.options.servingDir, name, champion.version));
        await this.options.onChampion(dir, version);
      } catch (error) {
        this.refused.set(key, Date.now());
        this.log.error("champion refused; keeping the current one", { version: champion.version, current: this.current, trigger, error });
        return { status: "refused", reason: (error as Error).message };
      }
      this.log.info("following a new champion", { from: this.current, to: champion.version, trigger });
      this.current = champion.version;
      return { status: "changed", version: champion.version };
    } catch (error) {
      this.log.warn("champion check failed", { trigger, error });
      return { status: "failed", reason: (error as Error).message };
    }
  }
}

export interface ModelEventSubscription {
  close(): Promise<void>;
}

/**
 * Every model-event to `listener`, from the beginning of the topic, on a consumer group of its
 * own (every follower must see every event). Events are hints: the registry is the source of
 * truth, so replayed old events only cause idempotent syncs.
 */
export async function subscribeModelEvents(options: {
  kafka: Kafka;
  registry: RegistryClient;
  topic: string;
  groupPrefix: string;
  listener: (event: Pick<ModelEvent, "model" | "type">) => unknown;
  logger?: Logger;
}): Promise<ModelEventSubscription> {
  const log = options.logger ?? createLogger("model-events", { topic: options.topic });
  const codec = await createAvroCodec({ registry: options.registry, topic: options.topic, avroSchema: ModelEventAvro, schema: ModelEvent });
  const consumer = options.kafka.consumer({ groupId: `${options.groupPrefix}-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 250 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      let event: Pick<ModelEvent, "model" | "type">;
      try {
        event = await codec.deserialize(message.value!);
      } catch (error) {
        // Still a sign that the model in the key changed: the registry will say how.
        log.warn("model event not decoded; checking the registry anyway", { offset: message.offset, error });
        event = { model: message.key?.toString() ?? "", type: "promoted" };
      }
      void options.listener(event);
    },
  });
  await joined;
  return { close: () => consumer.disconnect() };
}
