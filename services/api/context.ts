// What every route module shares: the dependencies the app is built from (injected, so tests
// build it in memory and main.ts wires real ones) and the per-request Hono variables.
import type { Logger } from "../../stream/runtime/index.ts";
import type { LoadedModel } from "../../stream/scoring/index.ts";
import type { ModelRegistry } from "../registry/index.ts";
import type { ApiKey, KeyStore } from "./auth.ts";
import type { CounterStateStore } from "./counter-state.ts";
import type { BodyReader } from "./node-body.ts";
import type { Clock } from "./rate-limit.ts";

/** The model being served now; null until the first verified version is loaded. */
export interface ServedModel {
  current(): LoadedModel | null;
  /**
   * Runs `work` on the current model and keeps that model open until `work` is done, whatever
   * is swapped in meanwhile; null (and `work` not run) before the first model is loaded.
   */
  use<T>(work: (model: LoadedModel) => Promise<T>): Promise<T> | null;
}

/** Re-reads the registry's champion and swaps to it if it changed (see champion.ts). */
export interface ChampionSync {
  sync(trigger: string): Promise<unknown>;
}

export interface ApiLimits {
  maxBatch: number;
  maxHistory: number;
  bodyLimitBytes: number;
  ratePerSecond: number;
  burst: number;
}

export const DEFAULT_LIMITS: ApiLimits = { maxBatch: 1_000, maxHistory: 400, bodyLimitBytes: 4 * 1024 * 1024, ratePerSecond: 1_000, burst: 2_000 };

export type RegistryView = Pick<ModelRegistry, "list" | "aliases" | "promote" | "rollback" | "location" | "backend">;

export interface AppDeps {
  models: ServedModel;
  /** Name of the served model: the one OIP routes and /v1/models answer for. */
  modelName: string;
  /** Null when serving a pinned folder: /v1/models then lists only what is served, admin routes answer 409. */
  registry: RegistryView | null;
  champion?: ChampionSync;
  keys: KeyStore;
  counters: CounterStateStore;
  limits?: Partial<ApiLimits>;
  clock?: Clock;
  logger?: Logger;
  /** Reads bodies the runtime's own way (server.ts: Node's IncomingMessage); default: Hono's body-limit path. */
  bodyReader?: BodyReader;
}

export type ApiEnv = {
  Variables: {
    requestId: string;
    apiKey: ApiKey;
    /** performance.now() when the request entered the app. */
    startedAt: number;
  };
};

/**
 * The request id of a request: the client's `X-Request-Id` when it is 1-255 characters of
 * letters, digits, `_`, `-` and `=` (as Hono's request-id middleware has it), else a new UUID.
 * The Hono app and the fast lane both use it.
 */
export function requestIdFor(offered: string | undefined): string {
  return offered && offered.length <= 255 && !/[^\w\-=]/.test(offered) ? offered : crypto.randomUUID();
}
