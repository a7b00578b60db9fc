// Registry configuration, parsed once from the environment.
//   EDGEFLOW_REGISTRY   file:<path> (default file:.edgeflow/registry), an http(s):// MLflow
//                       tracking URL, or `mlflow` for MLFLOW_TRACKING_URI
//   EDGEFLOW_REGISTRY_EXPERIMENT  MLflow experiment for registration runs (edgeflow-registry)
//   KAFKA_BROKERS, SCHEMA_REGISTRY_URL, EDGEFLOW_TOPIC_PREFIX  where model-events go; without
//                       brokers they are delivered in process only
import { resolve } from "node:path";
import { z } from "zod";
import { envList, parseEnv, type Env } from "../../schemas/index.ts";

export type RegistryBackendConfig = { kind: "file"; root: string } | { kind: "mlflow"; trackingUri: string; experiment: string };

export interface RegistryConfig {
  backend: RegistryBackendConfig;
  events: { kafkaBrokers: string[]; schemaRegistryUrl: string; topicPrefix: string };
}

export const DEFAULT_REGISTRY = "file:.edgeflow/registry";

const RegistryEnv = z
  .object({
    EDGEFLOW_REGISTRY: z.string().trim().min(1).default(DEFAULT_REGISTRY),
    MLFLOW_TRACKING_URI: z.string().optional(),
    EDGEFLOW_REGISTRY_EXPERIMENT: z.string().min(1).default("edgeflow-registry"),
    KAFKA_BROKERS: envList(),
    SCHEMA_REGISTRY_URL: z.string().default("mock://"),
    EDGEFLOW_TOPIC_PREFIX: z.string().default("edgeflow"),
  })
  .transform((env, ctx): RegistryConfig => {
    const events = { kafkaBrokers: env.KAFKA_BROKERS, schemaRegistryUrl: env.SCHEMA_REGISTRY_URL, topicPrefix: env.EDGEFLOW_TOPIC_PREFIX };
    const spec = env.EDGEFLOW_REGISTRY;
    if (spec.startsWith("file:")) {
      const path = spec.slice("file:".length).replace(/^\/\/(?=\/)/, "");
      if (path.length === 0) ctx.addIssue({ code: "custom", path: ["EDGEFLOW_REGISTRY"], message: "file: needs a path, e.g. file:.edgeflow/registry" });
      return { backend: { kind: "file", root: resolve(path) }, events };
    }
    let url = spec;
    if (spec === "mlflow") {
      if (!env.MLFLOW_TRACKING_URI) {
        ctx.addIssue({ code: "custom", path: ["EDGEFLOW_REGISTRY"], message: "`mlflow` needs MLFLOW_TRACKING_URI (an http(s) URL)" });
        return z.NEVER;
      }
      url = env.MLFLOW_TRACKING_URI;
    }
    if (!/^https?:\/\/[^/]+/.test(url)) {
      ctx.addIssue({
        code: "custom",
        path: [spec === "mlflow" ? "MLFLOW_TRACKING_URI" : "EDGEFLOW_REGISTRY"],
        message: "expected file:<path>, an http(s):// MLflow tracking URL, or mlflow",
      });
      return z.NEVER;
    }
    return { backend: { kind: "mlflow", trackingUri: url.replace(/\/+$/, ""), experiment: env.EDGEFLOW_REGISTRY_EXPERIMENT }, events };
  });

export function registryConfig(env: Env = process.env): RegistryConfig {
  return parseEnv(RegistryEnv, env);
}
