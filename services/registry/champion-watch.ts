// Follows a model's champion in the registry for every process that serves or judges it (the
// API, the scorer, the monitor). A sync re-reads the champion; when it is not the one already
// followed, the version is downloaded (the registry verifies its sha256) and its folder handed
// to `onChampion`, which loads it (an ONNX model, a reference profile) and makes it current.
// Whatever `onChampion` or the download refuses leaves the current one in place and is not
// tried again for `refusalRetryMs`. Triggers: model-events (promoted / rolled_back of this
// model), a poll (a file registry changed by another process may have no event bus), explicit
// calls. Syncs run one at a time; calls made while one is queued share it.
import { join } from "node:path";
import type { ModelEvent } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { CHAMPION, type ModelRegistry, type ModelVersion } from "./registry.ts";

export type ChampionSyncResult =
  /** loaded: the first champion followed; swapped: it replaced another. */
  | { status: "unchanged" | "loaded" | "swapped"; version: string }
  | { status: "no-champion" }
  | { status: "refused"; version: string; reason: string }
  | { status: "failed"; reason: string };

export interface ChampionWatchOptions {
  registry: Pick<ModelRegistry, "get" | "download">;
  name: string;
  /** Versions are downloaded to `<servingDir>/<name>/<version>`. */
  servingDir: string;
  /** Loads the verified folder and makes it current; throwing refuses the version. */
  onChampion(dir: string, version: ModelVersion): Promise<void>;
  /** Told of every refusal (download or load), e.g. to count it. */
  onRefused?(error: unknown, champion: ModelVersion): void;
  /** Told of every sync's outcome, e.g. to count it by trigger. */
  onSynced?(trigger: string, result: ChampionSyncResult): void;
  /** A refused version is tried again after this long (default 60 s; Infinity: never). */
  refusalRetryMs?: number;
  logger?: Logger;
  now?: () => number;
}

export class ChampionWatch {
  private followed: { version: string; modelSha256: string } | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<ChampionSyncResult> | null = null;
  private readonly refused = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: ChampionWatchOptions) {
    this.log = options.logger ?? createLogger("champion-watch", { model: options.name });
    this.now = options.now ?? Date.now;
  }

  /** The champion version handed to `onChampion` last, null before the first. */
  get version(): string | null {
    return this.followed?.version ?? null;
  }

  /** Runs one sync after the one in progress; calls made while one is queued share it. */
  sync(trigger: string): Promise<ChampionSyncResult> {
    if (this.queued) return this.queued;
    const next = this.tail.then(() => {
      this.queued = null;
      return this.syncOnce(trigger);
    });
    this.queued = next;
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** A model-event: only promotions and rollbacks of this model move the champion. */
  onModelEvent(event: Pick<ModelEvent, "model" | "type">): Promise<ChampionSyncResult> | null {
    if (event.model !== this.options.name || (event.type !== "promoted" && event.type !== "rolled_back")) return null;
    return this.sync(`event:${event.type}`);
  }

  startPolling(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.sync("poll"), everyMs);
    this.timer.unref();
  }

  /** Stops polling and waits for the sync in progress. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tail;
  }

  private async syncOnce(trigger: string): Promise<ChampionSyncResult> {
    const result = await this.check(trigger).catch((error: unknown): ChampionSyncResult => ({ status: "failed", reason: (error as Error).message }));
    if (result.status === "failed") this.log.warn("champion check failed; still serving", { trigger, reason: result.reason, serving: this.version });
    this.options.onSynced?.(trigger, result);
    return result;
  }

  private async check(trigger: string): Promise<ChampionSyncResult> {
    const { registry, name } = this.options;
    const champion = await registry.get(name, CHAMPION).catch((error: { code?: string }) => {
      if (error.code === "MODEL_NOT_FOUND") return null;
      throw error;
    });
    if (!champion) return { status: "no-champion" };
    const followed = this.followed;
    if (followed && followed.version === champion.version && followed.modelSha256 === champion.card.modelSha256) {
      return { status: "unchanged", version: champion.version };
    }
    const key = `${champion.version}:${champion.card.modelSha256}`;
    const refusedAt = this.refused.get(key);
    if (refusedAt !== undefined && this.now() - refusedAt < (this.options.refusalRetryMs ?? 60_000)) {
      return { status: "refused", version: champion.version, reason: "refused recently" };
    }
    try {
      const { dir, version } = await registry.download(name, champion.version, join(this.options.servingDir, name, champion.version));
      await this.options.onChampion(dir, version);
    } catch (error) {
      this.refused.set(key, this.now());
      this.options.onRefused?.(error, champion);
      this.log.error("champion refused; the current model keeps serving", { version: champion.version, serving: this.version, trigger, error });
      return { status: "refused", version: champion.version, reason: (error as Error).message };
    }
    this.log.info("following a new champion", { from: this.version, to: champion.version, trigger });
    this.followed = { version: champion.version, modelSha256: champion.card.modelSha256 };
    return { status: followed ? "swapped" : "loaded", version: champion.version };
  }
}
