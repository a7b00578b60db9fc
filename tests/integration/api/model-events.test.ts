// The API follows the champion through a real Kafka model-events topic: a promotion made by
// another registry client (as the CLI or the retrainer would) reaches the API's own consumer
// and the served version changes, with no registry poll running.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRegistryClient } from "../../../schemas/index.ts";
import { ChampionFollower, createApiApp, createCounterStateStore, createKeyStore, hashApiKey, type ApiApp } from "../../../services/api/index.ts";
import { KafkaModelEventPublisher, KafkaModelEventSubscriber, createFileStore, createModelRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { BIKE_FEATURE_NAMES, BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { createKafka, createLogger } from "../../../stream/runtime/index.ts";
import { deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const prefix = `it-api-${randomUUID().slice(0, 8)}`;
const NAME = "bike-next-hour";
const silent = createLogger("test", {}, () => true);

describe("API hot swap on Kafka model-events", () => {
  const work = mkdtempSync(join(tmpdir(), "edgeflow-api-events-"));
  let kafka: Kafka;
  let publisher: KafkaModelEventPublisher;
  let registry: ModelRegistry;
  let follower: ChampionFollower;
  let subscriber: KafkaModelEventSubscriber;
  let app: ApiApp;
  const events: string[] = [];

  beforeAll(async () => {
    kafka = createKafka({ brokers: inject("services").kafkaBrokers, clientId: "it-api-events" });
    publisher = new KafkaModelEventPublisher({ kafka, registry: createRegistryClient("mock://"), topicPrefix: prefix });
    registry = createModelRegistry(createFileStore({ root: join(work, "registry") }), { publisher, logger: silent });
    for (const [i, w] of [1, 2].entries()) {
      writeLinearModelFolder(join(work, `v${i}`), { name: NAME, spec: BIKE_FEATURE_SPEC, weights: { lag_1h: w } });
      await registry.register(join(work, `v${i}`));
    }
    await registry.promote(NAME, "1");

    follower = new ChampionFollower({ registry, name: NAME, featureSpecHash: BIKE_FEATURE_SPEC.hash, servingDir: join(work, "serving"), logger: silent });
    expect(await follower.sync("start")).toEqual({ status: "loaded", version: "1" });
    // Its own schema-registry client, as a separate API process would have.
    subscriber = new KafkaModelEventSubscriber({ kafka, registry: createRegistryClient("mock://"), topicPrefix: prefix, logger: silent });
    await subscriber.start((event) => {
      events.push(`${event.type}:${event.version}`);
      return follower.onEvent(event);
    });
    app = createApiApp({
      models: follower,
      modelName: NAME,
      registry,
      champion: follower,
      keys: createKeyStore([{ name: "client", sha256: hashApiKey("it-key"), scopes: ["predict"] }]),
      counters: createCounterStateStore(),
      logger: silent,
    });
  });

  afterAll(async () => {
    await subscriber?.close();
    await follower?.close();
    await registry?.close();
    await publisher?.close();
    if (kafka) await deleteTopicsWithPrefix(kafka, prefix);
    rmSync(work, { recursive: true, force: true });
  });

  const servedVersion = async () => {
    const row = BIKE_FEATURE_NAMES.map((n) => (n === "lag_1h" ? 10 : 0));
    const res = await app.request(`/v2/models/${NAME}/infer`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "it-key" },
      body: JSON.stringify({ inputs: [{ name: "input", shape: [1, row.length], datatype: "FP32", data: row }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_version: string; outputs: Array<{ data: number[] }> };
    return { version: body.model_version, value: body.outputs[0]!.data[0] };
  };

  it("serves the version a promote event names, then the one a rollback names", async () => {
    expect(await servedVersion()).toEqual({ version: "1", value: 10 });
    expect(subscriber.topic).toBe(`${prefix}.model-events`);

    await registry.promote(NAME, "2", { reason: "integration test" });
    const deadline = Date.now() + 60_000;
    while ((await servedVersion()).version !== "2" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await servedVersion()).toEqual({ version: "2", value: 20 });
    expect(events).toContain("promoted:2");

    await registry.rollback(NAME, { reason: "integration test" });
    while ((await servedVersion()).version !== "1" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await servedVersion()).toEqual({ version: "1", value: 10 });
    expect(events).toContain("rolled_back:1");
  });
});
