// Keeps the API serving the registry's champion, through the registry's ChampionWatch (the
// same follower the scorer and the monitor use). Triggers: a model-event (Kafka or in
// process), a poll every N seconds (CLI promotions on a file registry happen in another
// process and may have no event bus), and admin routes. A sync downloads the version
// (verifying its sha256), loads it (verifying the feature spec hash) and only then swaps;
// a refused version leaves the current model serving and is not retried for a while.
import { Counter, register } from "prom-client";
import type { ModelEvent } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { ModelHolder, type LoadedModel } from "../../stream/scoring/index.ts";
import { ChampionWatch, type ChampionSyncResult, type ModelRegistry } from "../registry/index.ts";
import type { ChampionSync, ServedModel } from "./context.ts";
import { championChecks } from "./metrics.ts";

export type SyncResult = ChampionSyncResult;

export interface ChampionFollowerOptions {
  registry: Pick<ModelRegistry, "get" | "download">;
  name: string;
  /** Feature spec hash the served model must declare. */
  featureSpecHash: string;
  /** Downloaded versions go to `<servingDir>/<name>/<version>`. */
  servingDir: string;
  logger?: Logger;
  /** A refused version is tried again after this long (default 60 s). */
  refusalRetryMs?: number;
  now?: () => number;
}

export class ChampionFollower implements ServedModel, ChampionSync {
  private holder: ModelHolder | null = null;
  private readonly watch: ChampionWatch;
  private readonly log: Logger;

  constructor(private readonly options: ChampionFollowerOptions) {
    const log = options.logger ?? createLogger("api-champion", { model: options.name });
    this.log = log;
    this.watch = new ChampionWatch({
      registry: options.registry,
      name: options.name,
      servingDir: options.servingDir,
      refusalRetryMs: options.refusalRetryMs,
      now: options.now,
      logger: log,
      onChampion: async (dir, version) => {
        if (this.holder) {
          await this.holder.swapToFolder(dir);
          return;
        }
        this.holder = await ModelHolder.fromFolder(dir, options.featureSpecHash);
        log.info("model loaded", { version: version.version });
      },
      onRefused: (error) => {
        // The holder counts refusals at load; a download that fails its hash check is one too.
        const code = (error as { code?: string }).code;
        if (!this.holder || code === "MODEL_INTEGRITY") {
          (register.getSingleMetric("edgeflow_model_swap_failures_total") as Counter | undefined)?.inc({ model: options.name, code: code ?? "LOAD_FAILED" });
        }
      },
      onSynced: (trigger, result) => championChecks.inc({ trigger: trigger.split(":")[0]!, result: result.status }),
    });
  }

  current(): LoadedModel | null {
    return this.holder?.current() ?? null;
  }

  use<T>(work: (model: LoadedModel) => Promise<T>): Promise<T> | null {
    return this.holder ? this.holder.use(work) : null;
  }

  /** Runs one sync after the one in progress; calls made while one is queued share it. */
  sync(trigger: string): Promise<SyncResult> {
    return this.watch.sync(trigger);
  }

  /** A model-event: only promotions and rollbacks of our model move the champion. */
  onEvent(event: Pick<ModelEvent, "model" | "type" | "version" | "eventId">): Promise<SyncResult> | null {
    if (event.model !== this.options.name || (event.type !== "promoted" && event.type !== "rolled_back")) return null;
    this.log.info("model event", { eventId: event.eventId, type: event.type, version: event.version });
    return this.watch.onModelEvent(event);
  }

  startPolling(everyMs: number): void {
    this.watch.startPolling(everyMs);
  }

  async close(): Promise<void> {
    await this.watch.close();
    await this.holder?.close();
  }
}

/** A fixed folder, no registry: EDGEFLOW_MODEL_DIR. */
export async function pinnedModel(dir: string, featureSpecHash: string): Promise<ServedModel & { close(): Promise<void> }> {
  const holder = await ModelHolder.fromFolder(dir, featureSpecHash);
  return { current: () => holder.current(), use: (work) => holder.use(work), close: () => holder.close() };
}
