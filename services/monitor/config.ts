// Monitor service configuration, parsed once from the environment. Defaults are the bike
// use case's (weekly windows aligned to Monday 00:00 UTC, thresholds calibrated on the Paris
// sample: docs/drift.md, "Bike defaults").
import { z } from "zod";
import { DriftConfig, type WindowSpecInput } from "../../stream/drift/index.ts";
import { envDuration, envInt, envList, parseEnv, type Env } from "../../schemas/index.ts";
import type { HysteresisConfig } from "./hysteresis.ts";
import type { PerformanceBounds } from "./performance.ts";

const envNumber = (def: number, check: (n: number) => boolean, what: string) =>
  z
    .string()
    .default(String(def))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!Number.isFinite(n) || !check(n)) {
        ctx.addIssue({ code: "custom", message: `expected ${what}` });
        return z.NEVER;
      }
      return n;
    });

const THRESHOLD_OF = { wasserstein: "wasserstein", psi: "psi", jensenshannon: "jensenShannon", ks: "ksPValue" } as const;

/** How a window's drift is judged; shared by the monitor and the drift report. */
export const DriftJudgementEnv = z.object({
  EDGEFLOW_DRIFT_METHOD: z.enum(["auto", "ks", "psi", "wasserstein", "jensenshannon"]).default("wasserstein"),
  EDGEFLOW_DRIFT_THRESHOLD: envNumber(0.3, (n) => n > 0, "a positive number"),
  EDGEFLOW_DRIFT_SHARE: envNumber(0.5, (n) => n > 0 && n <= 1, "a share in (0, 1]"),
});
export type DriftJudgementEnv = z.infer<typeof DriftJudgementEnv>;

export function driftConfigOf(env: DriftJudgementEnv): DriftConfig {
  const method = env.EDGEFLOW_DRIFT_METHOD;
  const thresholds = method === "auto" ? {} : { [THRESHOLD_OF[method]]: env.EDGEFLOW_DRIFT_THRESHOLD };
  return DriftConfig.parse({ numericMethod: method, thresholds, datasetDriftShare: env.EDGEFLOW_DRIFT_SHARE });
}

export const MonitorEnv = z
  .object({
    ...DriftJudgementEnv.shape,
    KAFKA_BROKERS: envList().refine((b) => b.length > 0, "set KAFKA_BROKERS, e.g. 127.0.0.1:9092"),
    SCHEMA_REGISTRY_URL: z.string().default("mock://"),
    EDGEFLOW_TOPIC_PREFIX: z.string().default("edgeflow"),
    EDGEFLOW_USE_CASE: z.enum(["bike-traffic"]).default("bike-traffic"),
    EDGEFLOW_MODEL_NAME: z.string().min(1).default("bike-next-hour"),
    EDGEFLOW_PARTITIONS: envInt(4, 1, 1024),
    EDGEFLOW_FETCH_MAX_WAIT_MS: envInt(100, 1, 10_000),
    EDGEFLOW_HOME: z.string().optional(),
    INFLUX_URL: z.url({ message: "expected a URL such as http://127.0.0.1:8086" }).default("http://127.0.0.1:8086"),
    INFLUX_DATABASE: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -").default("edgeflow"),
    INFLUX_USERNAME: z.string().optional(),
    INFLUX_PASSWORD: z.string().optional(),
    EDGEFLOW_DRIFT_WINDOW: envDuration("7d", 1),
    EDGEFLOW_DRIFT_SLIDE: envDuration("0"),
    EDGEFLOW_DRIFT_LATENESS: envDuration("1h"),
    /** Window starts are offset + k·slide from the epoch (a Thursday): 4d aligns weeks to Monday 00:00 UTC. */
    EDGEFLOW_DRIFT_WINDOW_OFFSET: envDuration("4d"),
    EDGEFLOW_DRIFT_IDLE: envDuration("60s", 1),
    EDGEFLOW_DRIFT_CONSECUTIVE: envInt(3, 1, 1000),
    EDGEFLOW_DRIFT_REARM: envInt(2, 1, 1000),
    EDGEFLOW_PERF_MAX_RMSE: envNumber(60, (n) => n > 0, "a positive number"),
    EDGEFLOW_PERF_MIN_R2: envNumber(0.65, (n) => n <= 1, "a number ≤ 1"),
    EDGEFLOW_PERF_MIN_OUTCOMES: envInt(100, 1),
    EDGEFLOW_PERF_CONSECUTIVE: envInt(1, 1, 1000),
    EDGEFLOW_PERF_REARM: envInt(1, 1, 1000),
    EDGEFLOW_CHAMPION_POLL: envDuration("30s"),
    METRICS_PORT: envInt(0, 0, 65_535),
  })
  .superRefine((env, ctx) => {
    if (env.EDGEFLOW_DRIFT_SLIDE > env.EDGEFLOW_DRIFT_WINDOW) {
      ctx.addIssue({ code: "custom", path: ["EDGEFLOW_DRIFT_SLIDE"], message: "must not exceed EDGEFLOW_DRIFT_WINDOW (no gaps between windows)" });
    }
    if (env.EDGEFLOW_DRIFT_METHOD === "ks" && env.EDGEFLOW_DRIFT_THRESHOLD >= 1) {
      ctx.addIssue({ code: "custom", path: ["EDGEFLOW_DRIFT_THRESHOLD"], message: "for ks the threshold is a p-value, below 1" });
    }
  });
export type MonitorEnv = z.infer<typeof MonitorEnv>;

export interface MonitorSettings {
  window: WindowSpecInput;
  drift: DriftConfig;
  driftHysteresis: HysteresisConfig;
  performance: PerformanceBounds;
  performanceHysteresis: HysteresisConfig;
  idleMs: number;
}

/** The processor's settings from the parsed environment. */
export function monitorSettings(env: MonitorEnv): MonitorSettings {
  return {
    window: {
      sizeMs: env.EDGEFLOW_DRIFT_WINDOW,
      ...(env.EDGEFLOW_DRIFT_SLIDE > 0 ? { slideMs: env.EDGEFLOW_DRIFT_SLIDE } : {}),
      allowedLatenessMs: env.EDGEFLOW_DRIFT_LATENESS,
      offsetMs: env.EDGEFLOW_DRIFT_WINDOW_OFFSET,
    },
    drift: driftConfigOf(env),
    driftHysteresis: { trigger: env.EDGEFLOW_DRIFT_CONSECUTIVE, rearm: env.EDGEFLOW_DRIFT_REARM },
    performance: { maxRmse: env.EDGEFLOW_PERF_MAX_RMSE, minR2: env.EDGEFLOW_PERF_MIN_R2, minOutcomes: env.EDGEFLOW_PERF_MIN_OUTCOMES },
    performanceHysteresis: { trigger: env.EDGEFLOW_PERF_CONSECUTIVE, rearm: env.EDGEFLOW_PERF_REARM },
    idleMs: env.EDGEFLOW_DRIFT_IDLE,
  };
}

export function monitorConfig(env: Env = process.env): MonitorEnv {
  return parseEnv(MonitorEnv, env);
}
