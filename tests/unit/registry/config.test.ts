import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../schemas/index.ts";
import { registryConfig } from "../../../services/registry/index.ts";

describe("registryConfig", () => {
  it("defaults to the file registry under .edgeflow/registry and in-process events", () => {
    expect(registryConfig({})).toEqual({
      backend: { kind: "file", root: resolve(".edgeflow/registry") },
      events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "edgeflow" },
    });
  });

  it("reads file:<path>, absolute or relative", () => {
    expect(registryConfig({ EDGEFLOW_REGISTRY: "file:/var/lib/edgeflow/models" }).backend).toEqual({ kind: "file", root: "/var/lib/edgeflow/models" });
    expect(registryConfig({ EDGEFLOW_REGISTRY: "file:models" }).backend).toEqual({ kind: "file", root: resolve("models") });
  });

  it("takes an http(s) URL as an MLflow tracking server, without a trailing slash", () => {
    expect(registryConfig({ EDGEFLOW_REGISTRY: "http://127.0.0.1:5000/" }).backend).toEqual({
      kind: "mlflow",
      trackingUri: "http://127.0.0.1:5000",
      experiment: "edgeflow-registry",
    });
  });

  it("reads `mlflow` as MLFLOW_TRACKING_URI, with the experiment and Kafka settings", () => {
    const config = registryConfig({
      EDGEFLOW_REGISTRY: "mlflow",
      MLFLOW_TRACKING_URI: "https://mlflow.example:443",
      EDGEFLOW_REGISTRY_EXPERIMENT: "prod-registry",
      KAFKA_BROKERS: "a:9092,b:9092",
      EDGEFLOW_TOPIC_PREFIX: "prod",
    });
    expect(config.backend).toEqual({ kind: "mlflow", trackingUri: "https://mlflow.example:443", experiment: "prod-registry" });
    expect(config.events).toEqual({ kafkaBrokers: ["a:9092", "b:9092"], schemaRegistryUrl: "mock://", topicPrefix: "prod" });
  });

  it("stops on `mlflow` without MLFLOW_TRACKING_URI, naming the variable", () => {
    const error = (() => {
      try {
        registryConfig({ EDGEFLOW_REGISTRY: "mlflow" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(["EDGEFLOW_REGISTRY"]);
    expect((error as Error).message).toContain("`mlflow` needs MLFLOW_TRACKING_URI");
  });

  it("stops on a value that is neither file:, http(s) nor mlflow", () => {
    expect(() => registryConfig({ EDGEFLOW_REGISTRY: "s3://bucket/models" })).toThrow(/EDGEFLOW_REGISTRY="s3:\/\/bucket\/models": expected file:<path>/);
    expect(() => registryConfig({ EDGEFLOW_REGISTRY: "file:" })).toThrow(/file: needs a path/);
  });
});
