// Finds or starts Kafka, InfluxDB, Prometheus and MLflow for the tests (see global-setup.ts).
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { edgeflowHome } from "../../schemas/index.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const EDGEFLOW_HOME = edgeflowHome();

export interface Endpoints {
  kafkaBrokers: string[];
  influxUrl: string;
  prometheusUrl: string;
  /** Folder of Prometheus file_sd target files, when the Prometheus in use reads one. */
  prometheusTargetsDir: string | null;
  mlflowTrackingUri: string | null;
}

export interface ResolvedServices {
  source: "environment" | "testcontainers" | "deploy/local";
  endpoints: Endpoints;
  stop(): Promise<void>;
}

const HOW_TO =
  "Start the local services with `npm run services:up` (installs Kafka from Maven Central, InfluxDB and " +
  "Prometheus from Debian), or set KAFKA_BROKERS, INFLUX_URL and PROMETHEUS_URL to running ones, or run " +
  "where a Docker engine answers so testcontainers can start them.";

export async function resolveServices(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedServices> {
  if (env.KAFKA_BROKERS && env.INFLUX_URL && env.PROMETHEUS_URL) {
    return { source: "environment", endpoints: endpointsFrom(env), stop: async () => {} };
  }
  if (env.EDGEFLOW_TESTCONTAINERS !== "0" && (await dockerAnswers())) {
    const { startContainers } = await import("./containers.ts");
    return startContainers();
  }
  return startLocalServices(env);
}

function endpointsFrom(env: NodeJS.ProcessEnv): Endpoints {
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? "").split(",").map((b) => b.trim()).filter(Boolean),
    influxUrl: env.INFLUX_URL ?? "",
    prometheusUrl: env.PROMETHEUS_URL ?? "",
    prometheusTargetsDir: env.PROMETHEUS_TARGETS_DIR ?? null,
    mlflowTrackingUri: env.MLFLOW_TRACKING_URI ?? null,
  };
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

function readEnvFile(path: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, "");
  }
  return out;
}

async function startLocalServices(env: NodeJS.ProcessEnv): Promise<ResolvedServices> {
  const script = join(ROOT, "deploy/local/services.sh");
  const wanted = ["kafka", "influxdb", "prometheus", ...(env.EDGEFLOW_TEST_MLFLOW === "0" ? [] : ["mlflow"])];
  // Which of them are already up (and so not ours to stop)?
  const status = spawnSync("bash", [script, "status", ...wanted], { encoding: "utf8", env });
  const running = new Set(wanted.filter((s) => new RegExp(`^${s}\\b.*running`, "m").test(status.stdout ?? "")));
  const toStart = wanted.filter((s) => !running.has(s));
  if (toStart.length > 0) {
    process.stdout.write(`[edgeflow tests] starting local services: ${toStart.join(" ")}\n`);
    mkdirSync(EDGEFLOW_HOME, { recursive: true });
    const up = spawnSync("bash", [script, "up", ...toStart], { stdio: "inherit", env });
    if (up.status !== 0) {
      throw new Error(`could not start local services (${toStart.join(", ")}; exit ${up.status}). ${HOW_TO}`);
    }
  }
  const envFile = join(EDGEFLOW_HOME, "services/env");
  if (!existsSync(envFile)) throw new Error(`deploy/local did not write ${envFile}. ${HOW_TO}`);
  const endpoints = endpointsFrom({ ...readEnvFile(envFile) });
  if (endpoints.kafkaBrokers.length === 0 || !endpoints.influxUrl || !endpoints.prometheusUrl) {
    throw new Error(`${envFile} lacks KAFKA_BROKERS, INFLUX_URL or PROMETHEUS_URL. ${HOW_TO}`);
  }
  return {
    source: "deploy/local",
    endpoints,
    async stop() {
      if (toStart.length === 0 || env.EDGEFLOW_KEEP_SERVICES === "1") return;
      spawnSync("bash", [script, "down", ...toStart], { stdio: "inherit", env });
    },
  };
}
