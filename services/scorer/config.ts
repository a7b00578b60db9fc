// Scorer service configuration, parsed once from the environment.
import { z } from "zod";
import { edgeflowHome, envBool, envInt, envList, parseEnv, type Env } from "../../schemas/index.ts";

export const ScorerConfig = z.object({
  KAFKA_BROKERS: envList().refine((b) => b.length > 0, "set KAFKA_BROKERS, e.g. 127.0.0.1:9092 (without it use `npm start`, the embedded runtime)"),
  SCHEMA_REGISTRY_URL: z.string().default("mock://"),
  EDGEFLOW_TOPIC_PREFIX: z.string().default("edgeflow"),
  EDGEFLOW_USE_CASE: z.enum(["bike-traffic"]).default("bike-traffic"),
  /** Which processors this process runs, each as its own consumer group. */
  EDGEFLOW_PROCESSORS: envList(["features", "scorer", "outcomes"]).pipe(z.array(z.enum(["features", "scorer", "outcomes"])).min(1)),
  /**
   * When this process runs both the features and the scorer processors, run them fused:
   * one consumer group and one transaction per event batch, the features topic still
   * written (stream/runtime/fuse.ts). false runs them as two consumer groups.
   */
  EDGEFLOW_FUSE: envBool(true),
  /** Serve this model version folder instead of the registry's champion (tests, pinned deployments). */
  EDGEFLOW_MODEL_DIR: z.string().optional(),
  EDGEFLOW_MODEL_NAME: z.string().default("bike-next-hour"),
  /** How often the registry's champion is re-read besides model-events. */
  EDGEFLOW_MODEL_POLL_MS: envInt(10_000, 100, 3_600_000),
  EDGEFLOW_HOME: z.string().default(edgeflowHome({})),
  EDGEFLOW_PARTITIONS: envInt(4, 1, 1024),
  EDGEFLOW_SCORER_MAX_BATCH: envInt(512, 1, 100_000),
  EDGEFLOW_FETCH_MAX_WAIT_MS: envInt(100, 1, 10_000),
  /** Input partitions each processor works on at the same time. */
  EDGEFLOW_PARTITION_CONCURRENCY: envInt(1, 1, 64),
  METRICS_PORT: envInt(0, 0, 65_535),
});
export type ScorerConfig = z.infer<typeof ScorerConfig>;

export function scorerConfig(env: Env = process.env): ScorerConfig {
  return parseEnv(ScorerConfig, env);
}
