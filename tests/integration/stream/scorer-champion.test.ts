// The stream worker's scorer serves the registry's champion and follows it: a promotion
// published on model-events swaps the served version; a tampered version is refused and
// the current one keeps serving.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { createKafka } from "../../../stream/runtime/index.ts";
import { openRegistry, registryConfig } from "../../../services/registry/index.ts";
import { scorerConfig } from "../../../services/scorer/config.ts";
import { startStreamWorker, type StreamWorker } from "../../../services/scorer/worker.ts";
import { deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const services = inject("services");
const prefix = `it-champ-${randomUUID().slice(0, 8)}`;
const home = mkdtempSync(join(tmpdir(), "ef-champion-"));
const env = {
  KAFKA_BROKERS: services.kafkaBrokers.join(","),
  EDGEFLOW_TOPIC_PREFIX: prefix,
  EDGEFLOW_REGISTRY: `file:${join(home, "registry")}`,
  EDGEFLOW_PROCESSORS: "scorer",
  EDGEFLOW_HOME: home,
  EDGEFLOW_MODEL_POLL_MS: "600000", // only model-events can make the swap happen in time
};
let worker: StreamWorker | undefined;

afterAll(async () => {
  await worker?.stop();
  await deleteTopicsWithPrefix(createKafka({ brokers: services.kafkaBrokers, clientId: "it-champ" }), prefix);
});

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("scorer and the registry's champion", () => {
  it("loads the champion at start and swaps on a promotion event, refusing a tampered version", async () => {
    const registry = openRegistry(registryConfig(env));
    const folder = (v: string, weights: Record<string, number>) =>
      writeLinearModelFolder(mkdtempSync(join(tmpdir(), `ef-v${v}-`)), { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights }).dir;
    const v1 = await registry.register(folder("1", { lag_1h: 1 }));
    await registry.promote("bike-next-hour", v1.version);

    worker = await startStreamWorker(scorerConfig(env), undefined, env);
    expect(worker.models!.current().version).toBe(v1.version);

    const v2 = await registry.register(folder("2", { lag_168h: 1 }));
    await registry.promote("bike-next-hour", v2.version);
    await waitFor(() => worker!.models!.current().version === v2.version, 30_000, "the swap to v2");

    const v3 = await registry.register(folder("3", { lag_24h: 1 }));
    // Tamper with the stored file after registration: promotion re-hashes and refuses it.
    writeFileSync(join(home, "registry", "bike-next-hour", v3.version, "model.onnx"), Buffer.from("tampered"));
    await expect(registry.promote("bike-next-hour", v3.version)).rejects.toThrow(/sha256/);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(worker.models!.current().version).toBe(v2.version);
    await registry.close();
  });
});
