// Retrainer configuration, parsed once from the environment (README lists every variable).
import cron from "node-cron";
import { z } from "zod";
import { envDuration, envInt, envList, parseEnv, type Env } from "../../schemas/index.ts";

const fraction = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!Number.isFinite(n) || n < min || n >= max) {
        ctx.addIssue({ code: "custom", message: `expected a number in [${min}, ${max})` });
        return z.NEVER;
      }
      return n;
    });

export const RetrainerEnv = z.object({
  KAFKA_BROKERS: envList(),
  SCHEMA_REGISTRY_URL: z.string().default("mock://"),
  EDGEFLOW_TOPIC_PREFIX: z.string().default("edgeflow"),
  EDGEFLOW_USE_CASE: z.enum(["bike-traffic"]).default("bike-traffic"),
  EDGEFLOW_MODEL_NAME: z.string().min(1).default("bike-next-hour"),
  EDGEFLOW_HOME: z.string().optional(),
  EDGEFLOW_PARTITIONS: envInt(4, 1, 1024),
  /** node-cron expression of the scheduled retrain (default: Mondays 03:00). */
  EDGEFLOW_RETRAIN_CRON: z
    .string()
    .default("0 3 * * 1")
    .refine((e) => cron.validate(e), "expected a cron expression such as `0 3 * * 1` (minute hour day month weekday)"),
  EDGEFLOW_RETRAIN_TIMEZONE: z.string().default("UTC"),
  EDGEFLOW_RETRAIN_TRIGGERS: envList(["drift", "degradation", "schedule"]).pipe(z.array(z.enum(["drift", "degradation", "schedule"]))),
  EDGEFLOW_RETRAIN_COOLDOWN: envDuration("6h"),
  /** Event-time length of the training snapshot, ending at the trigger's window end (or the newest outcome). */
  EDGEFLOW_RETRAIN_WINDOW: envDuration("84d", 3_600_000),
  /** Skip log records older than this when reading the topics (default twice the window). */
  EDGEFLOW_RETRAIN_SCAN_LOOKBACK: envDuration("0"),
  EDGEFLOW_RETRAIN_HOLDOUT_FRACTION: fraction(0.15, 0.01, 0.9),
  EDGEFLOW_RETRAIN_CANDIDATES: envList(["ridge", "random_forest", "lightgbm"]).pipe(z.array(z.string().min(1)).min(1)),
  EDGEFLOW_RETRAIN_TRIALS: envInt(0, 0, 10_000),
  EDGEFLOW_RETRAIN_MARGIN: fraction(0.02, 0, 1),
  EDGEFLOW_TRAINER_PYTHON: z.string().optional(),
  METRICS_PORT: envInt(0, 0, 65_535),
});
export type RetrainerEnv = z.infer<typeof RetrainerEnv>;

export function retrainerConfig(env: Env = process.env): RetrainerEnv {
  return parseEnv(RetrainerEnv, env);
}
