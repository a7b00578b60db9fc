// HTTP scoring API configuration, parsed once from the environment (the registry's own
// variables — EDGEFLOW_REGISTRY, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, EDGEFLOW_TOPIC_PREFIX —
// are parsed by services/registry/config.ts).
import { z } from "zod";
import { edgeflowHome, envBool, envInt, parseEnv, type Env } from "../../schemas/index.ts";

export const ApiConfig = z.object({
  PORT: envInt(8080, 0, 65_535),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The model served: the registry's champion of this name. */
  EDGEFLOW_MODEL_NAME: z.string().min(1).default("bike-next-hour"),
  /** Serve this version folder, pinned: no registry, no hot swap (tests, air-gapped replicas). */
  EDGEFLOW_MODEL_DIR: z.string().min(1).optional(),
  /** `name:sha256hex:scope|scope,...` (see auth.ts); or a JSON file of the same keys. */
  EDGEFLOW_API_KEYS: z.string().optional(),
  EDGEFLOW_API_KEYS_FILE: z.string().min(1).optional(),
  /** Records per /v1/predict or /v1/events request, rows per OIP infer request. */
  EDGEFLOW_API_MAX_BATCH: envInt(1_000, 1, 100_000),
  /** History entries per predict record. */
  EDGEFLOW_API_MAX_HISTORY: envInt(400, 170, 10_000),
  /** Request bodies larger than this get 413 before they are read. */
  EDGEFLOW_API_BODY_LIMIT_BYTES: envInt(4 * 1024 * 1024, 1_024, 1024 * 1024 * 1024),
  /** Per-key token bucket: sustained requests per second and burst size. */
  EDGEFLOW_API_RATE_PER_SECOND: envInt(1_000, 1, 10_000_000),
  EDGEFLOW_API_RATE_BURST: envInt(2_000, 1, 10_000_000),
  /** Counters whose latest state the API holds for history-less predictions (oldest evicted first). */
  EDGEFLOW_API_MAX_COUNTERS: envInt(10_000, 1, 10_000_000),
  /** Registry champion poll, the fallback to model-events (0 = events only). */
  EDGEFLOW_API_POLL_SECONDS: envInt(10, 0, 86_400),
  /** Answer well-formed scoring requests from Node directly (fast-lane.ts); false = every request through Hono. */
  EDGEFLOW_API_FAST_LANE: envBool(true),
  /** Where downloaded model versions are kept. */
  EDGEFLOW_HOME: z.string().min(1).default(edgeflowHome({})),
});
export type ApiConfig = z.infer<typeof ApiConfig>;

export function apiConfig(env: Env = process.env): ApiConfig {
  return parseEnv(ApiConfig, env);
}
