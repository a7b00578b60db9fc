// Keeps the API serving the registry's champion. Triggers: a model-event (Kafka or in
// process), a poll every N seconds (CLI promotions on a file registry happen in another
// process and may have no event bus), and admin routes. A sync downloads the version
// (verifying its sha256), loads it (verifying the feature spec hash) and only then swaps;
// a refused version leaves the current model serving and is not retried for a while.
import { join } from "node:path";
import { Counter, register } from "prom-client";
import type { ModelEvent } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { ModelHolder, type LoadedModel } from "../../stream/scoring/index.ts";
import { CHAMPION, type ModelRegistry } from "../registry/index.ts";
import type { ChampionSync, ServedModel } from "./context.ts";
import { championChecks } from "./metrics.ts";

export type SyncResult =
  | { status: "unchanged" | "swapped" | "loaded"; version: string }
  | { status: "no-champion" }
  | { status: "refused"; version: string; reason: string }
  | { status: "failed"; reason: string };

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
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<SyncResult> | null = null;
  private readonly refused = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: ChampionFollowerOptions) {
    this.log = options.logger ?? createLogger("api-champion", { model: options.name });
    this.now = options.now ?? Date.now;
  }

  current(): LoadedModel | null {
    return this.holder?.current() ?? null;
  }

  /** Runs one sync after the one in progress; calls made while one is queued share it. */
  sync(trigger: string): Promise<SyncResult> {
    if (this.queued) return this.queued;
    const next = this.tail.then(() => {
      this.queued = null;
      return this.syncOnce(trigger);
    });
    this.queued = next;
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** A model-event: only promotions and rollbacks of our model move the champion. */
  onEvent(event: Pick<ModelEvent, "model" | "type" | "version" | "eventId">): Promise<SyncResult> | null {
    if (event.model !== this.options.name || (event.type !== "promoted" && event.type !== "rolled_back")) return null;
    this.log.info("model event", { eventId: event.eventId, type: event.type, version: event.version });
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
    await this.holder?.close();
  }

  private async syncOnce(trigger: string): Promise<SyncResult> {
    const result = await this.check().catch((error: unknown): SyncResult => ({ status: "failed", reason: (error as Error).message }));
    championChecks.inc({ trigger: trigger.split(":")[0]!, result: result.status });
    if (result.status === "failed") this.log.warn("champion check failed; still serving", { trigger, reason: result.reason, serving: this.current()?.version ?? null });
    return result;
  }

  private async check(): Promise<SyncResult> {
    const { registry, name } = this.options;
    const champion = await registry.get(name, CHAMPION).catch((error: { code?: string }) => {
      if (error.code === "MODEL_NOT_FOUND") return null;
      throw error;
    });
    if (!champion) return { status: "no-champion" };
    const serving = this.current();
    if (serving && serving.version === champion.version && serving.card.modelSha256 === champion.card.modelSha256) {
      return { status: "unchanged", version: champion.version };
    }
    const key = `${champion.version}:${champion.card.modelSha256}`;
    const refusedAt = this.refused.get(key);
    if (refusedAt !== undefined && this.now() - refusedAt < (this.options.refusalRetryMs ?? 60_000)) {
      return { status: "refused", version: champion.version, reason: "refused recently" };
    }
    try {
      const { dir } = await registry.download(name, champion.version, join(this.options.servingDir, name, champion.version));
      if (this.holder) {
        await this.holder.swapToFolder(dir);
        return { status: "swapped", version: champion.version };
      }
      this.holder = await ModelHolder.fromFolder(dir, this.options.featureSpecHash);
      this.log.info("model loaded", { version: champion.version });
      return { status: "loaded", version: champion.version };
    } catch (error) {
      this.refused.set(key, this.now());
      // The holder counts refusals at load; a download that fails its hash check is one too.
      if (!this.holder || (error as { code?: string }).code === "MODEL_INTEGRITY") {
        (register.getSingleMetric("edgeflow_model_swap_failures_total") as Counter | undefined)?.inc({ model: name, code: (error as { code?: string }).code ?? "LOAD_FAILED" });
      }
      this.log.error("champion refused; the current model keeps serving", { version: champion.version, serving: serving?.version ?? null, error });
      return { status: "refused", version: champion.version, reason: (error as Error).message };
    }
  }
}

/** A fixed folder, no registry: EDGEFLOW_MODEL_DIR. */
export async function pinnedModel(dir: string, featureSpecHash: string): Promise<ServedModel & { close(): Promise<void> }> {
  const holder = await ModelHolder.fromFolder(dir, featureSpecHash);
  return { current: () => holder.current(), close: () => holder.close() };
}
