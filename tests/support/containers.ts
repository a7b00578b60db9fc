// The testcontainers path of the service resolution: used only where a Docker engine
// answers (not on the project's CI machines, which have none; there deploy/local serves).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { KafkaContainer } from "@testcontainers/kafka";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import type { ResolvedServices } from "./resolve-services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export async function startContainers(): Promise<ResolvedServices> {
  const started: StartedTestContainer[] = [];
  try {
    const kafka = await new KafkaContainer("confluentinc/cp-kafka:7.7.1").withKraft().start();
    started.push(kafka);
    const influx = await new GenericContainer("influxdb:1.8")
      .withEnvironment({ INFLUXDB_REPORTING_DISABLED: "true", INFLUXDB_HTTP_AUTH_ENABLED: "false" })
      .withExposedPorts(8086)
      .withWaitStrategy(Wait.forHttp("/ping", 8086).forStatusCode(204))
      .start();
    started.push(influx);
    const targetsDir = mkdtempSync(join(tmpdir(), "edgeflow-prom-targets-"));
    writeFileSync(join(targetsDir, ".keep"), "");
    const prometheus = await new GenericContainer("prom/prometheus:v2.53.2")
      .withCopyFilesToContainer([
        { source: join(ROOT, "deploy/prometheus/prometheus.container.yml"), target: "/etc/prometheus/prometheus.yml" },
      ])
      .withBindMounts([{ source: targetsDir, target: "/etc/prometheus/targets" }])
      .withExtraHosts([{ host: "host.docker.internal", ipAddress: "host-gateway" }])
      .withExposedPorts(9090)
      .withWaitStrategy(Wait.forHttp("/-/ready", 9090))
      .start();
    started.push(prometheus);
    return {
      source: "testcontainers",
      endpoints: {
        kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
        influxUrl: `http://${influx.getHost()}:${influx.getMappedPort(8086)}`,
        prometheusUrl: `http://${prometheus.getHost()}:${prometheus.getMappedPort(9090)}`,
        prometheusTargetsDir: targetsDir,
        mlflowTrackingUri: process.env.MLFLOW_TRACKING_URI ?? null,
      },
      async stop() {
        await Promise.allSettled(started.map((c) => c.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw error;
  }
}
