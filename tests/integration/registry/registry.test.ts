// The model registry against its real backends: a folder on disk, and the MLflow tracking
// server the test services run (REST API + artifact proxy). Same scenario on both.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { defineFeatureSpec, type ModelEvent } from "../../../schemas/index.ts";
import { createLogger } from "../../../stream/runtime/index.ts";
import {
  InProcessModelEventPublisher,
  ModelIntegrityError,
  NoPreviousChampion,
  createFileStore,
  createMlflowStore,
  createModelRegistry,
  sha256File,
  type ModelRegistry,
  type RegistryStore,
} from "../../../services/registry/index.ts";
import { MlflowClient } from "../../../services/registry/mlflow-client.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const spec = defineFeatureSpec({
  name: "registry-test",
  version: 1,
  features: [
    { name: "hour", type: "numeric" },
    { name: "lag_1h", type: "numeric" },
  ],
});

interface Backend {
  name: "file" | "mlflow";
  store(): RegistryStore;
  /** Overwrites the stored model.onnx of a version, as an attacker or a bad disk would. */
  tamper(model: string, version: string, source: string, bytes: Buffer): Promise<void>;
  cleanup(model: string): Promise<void>;
}

const quiet = createLogger("registry", {}, () => true);
const work = mkdtempSync(join(tmpdir(), "edgeflow-registry-it-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mlflowUri(): string {
  const uri = inject("services").mlflowTrackingUri;
  if (!uri) {
    throw new Error(
      "no MLflow tracking server: the registry's MLflow backend is tested against a real one. Start it with " +
        "`bash deploy/local/services.sh up mlflow` (or set MLFLOW_TRACKING_URI) and run again.",
    );
  }
  return uri;
}

const backends: Backend[] = [
  {
    name: "file",
    store: () => createFileStore({ root: join(work, "file-registry") }),
    tamper: async (_model, _version, source, bytes) => writeFileSync(join(source, "model.onnx"), bytes),
    cleanup: async () => undefined,
  },
  {
    name: "mlflow",
    store: () => createMlflowStore({ trackingUri: mlflowUri(), experiment: "edgeflow-registry-tests" }),
    tamper: async (_model, _version, source, bytes) => new MlflowClient(mlflowUri()).uploadArtifact(source, "model.onnx", bytes),
    cleanup: async (model) => {
      await new MlflowClient(mlflowUri()).call("DELETE", "registered-models/delete", { name: model }).catch(() => undefined);
    },
  },
];

function modelFolder(name: string, weights: [number, number], bias: number, metrics = { rmse: 50, mae: 30, r2: 0.8 }): string {
  const dir = join(work, "trained", randomUUID());
  writeLinearModelFolder(dir, { name, spec, weights: { hour: weights[0], lag_1h: weights[1] }, bias, metrics });
  return dir;
}

async function predict(dir: string, row: [number, number]): Promise<number> {
  const session = await ort.InferenceSession.create(join(dir, "model.onnx"));
  const out = await session.run({ input: new ort.Tensor("float32", Float32Array.from(row), [1, 2]) });
  return (out.variable!.data as Float32Array)[0]!;
}

describe.each(backends)("$name registry", (backend) => {
  const model = `registry-it-${randomUUID().slice(0, 8)}`;
  const events: ModelEvent[] = [];
  let registry: ModelRegistry;

  beforeAll(() => {
    const publisher = new InProcessModelEventPublisher();
    publisher.subscribe((e) => {
      events.push(e);
    });
    registry = createModelRegistry(backend.store(), { publisher, logger: quiet });
  });
  afterAll(async () => {
    await registry?.close();
    await backend.cleanup(model);
  });

  it("registers two versions as 1 and 2, writing the version into each card", async () => {
    const v1 = await registry.register(modelFolder("trainer-name", [1, 2], 0.5), { name: model });
    const v2 = await registry.register(modelFolder(model, [3, -1], 10, { rmse: 40, mae: 25, r2: 0.85 }));
    expect([v1.version, v2.version]).toEqual(["1", "2"]);
    expect([v1.card.version, v2.card.version]).toEqual(["1", "2"]);
    expect(v1.card.name).toBe(model);
    expect(events.map((e) => [e.type, e.version, e.alias])).toEqual([
      ["registered", "1", null],
      ["registered", "2", null],
    ]);
    expect(events[1]!.modelSha256).toBe(v2.card.modelSha256);
    expect(events[1]!.featureSpecHash).toBe(spec.hash);
  });

  it("refuses to register a folder whose model.onnx does not match its card", async () => {
    const dir = modelFolder(model, [5, 5], 0);
    const before = readFileSync(join(dir, "model.onnx"));
    writeFileSync(join(dir, "model.onnx"), Buffer.concat([before, Buffer.from([0])]));
    const error = await registry.register(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).code).toBe("MODEL_INTEGRITY");
    expect((await registry.list(model)).map((v) => v.version)).toEqual(["1", "2"]);
  });

  it("lists the versions with their metrics, oldest first", async () => {
    const versions = await registry.list(model);
    expect(versions.map((v) => [v.version, v.card.metrics.test.rmse])).toEqual([
      ["1", 50],
      ["2", 40],
    ]);
    expect((await registry.models()).find((m) => m.name === model)?.versions).toEqual(["1", "2"]);
  });

  it("promotes, resolves the champion alias, and remembers the previous champion", async () => {
    events.length = 0;
    const first = await registry.promote(model, "1", { reason: "first model" });
    expect(first.previousVersion).toBeNull();
    const second = await registry.promote(model, "2", { reason: "gate passed" });
    expect(second.previousVersion).toBe("1");
    const champion = await registry.get(model, "champion");
    expect(champion.version).toBe("2");
    expect(champion.aliases).toEqual(["champion"]);
    expect((await registry.get(model, "latest")).version).toBe("2");
    expect(await registry.aliases(model)).toEqual({ aliases: { champion: "2" }, championHistory: ["1"] });
    expect(events.map((e) => [e.type, e.version, e.alias, e.previousVersion, e.reason])).toEqual([
      ["promoted", "1", "champion", null, "first model"],
      ["promoted", "2", "champion", "1", "gate passed"],
    ]);
  });

  it("downloads the champion into a folder that onnxruntime-node scores from", async () => {
    const dest = join(work, `serve-${backend.name}`);
    const { dir, version } = await registry.download(model, "champion", dest);
    expect(version.version).toBe("2");
    expect(await sha256File(join(dir, "model.onnx"))).toBe(version.card.modelSha256);
    expect(JSON.parse(readFileSync(join(dir, "card.json"), "utf8")).version).toBe("2");
    expect(JSON.parse(readFileSync(join(dir, "reference.json"), "utf8")).featureSpecHash).toBe(spec.hash);
    expect(await predict(dir, [2, 4])).toBeCloseTo(3 * 2 - 4 + 10, 5);
  });

  it("rolls back to the previous champion and emits a rolled_back event", async () => {
    events.length = 0;
    const change = await registry.rollback(model, { reason: "online RMSE regressed" });
    expect([change.version, change.previousVersion]).toEqual(["1", "2"]);
    expect((await registry.get(model, "champion")).version).toBe("1");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "rolled_back", model, version: "1", alias: "champion", previousVersion: "2", reason: "online RMSE regressed" });
    await expect(registry.rollback(model)).rejects.toBeInstanceOf(NoPreviousChampion);
    expect((await registry.get(model, "champion")).version).toBe("1");
  });

  it("sets another alias and records a refusing gate decision on the version", async () => {
    events.length = 0;
    const change = await registry.setAlias(model, "challenger", "2");
    expect(change.previousVersion).toBeNull();
    expect((await registry.get(model, "challenger")).version).toBe("2");
    const decided = await registry.recordDecision(model, "2", { promote: false, reasons: ["rmse 40 vs champion 39"], championVersion: "1" });
    expect(decided.card.gate).toMatchObject({ promote: false, reasons: ["rmse 40 vs champion 39"], championVersion: "1" });
    expect((await registry.get(model, "2")).card.gate?.promote).toBe(false);
    expect(events.map((e) => [e.type, e.version, e.alias, e.previousVersion])).toEqual([
      ["alias_set", "2", "challenger", null],
      ["refused", "2", "champion", "1"],
    ]);
  });

  it("refuses a tampered model.onnx at download and promotion, leaving the champion and the served folder as they were", async () => {
    const dest = join(work, `serve-${backend.name}-tamper`);
    await registry.download(model, "champion", dest);
    const served = readFileSync(join(dest, "model.onnx"));
    const champion = await registry.get(model, "champion");
    const tampered = Buffer.concat([served, Buffer.from("tampered")]);
    await backend.tamper(model, "1", champion.source, tampered);

    const error = await registry.download(model, "champion", dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    const integrity = error as ModelIntegrityError;
    expect(integrity.expected).toBe(champion.card.modelSha256);
    expect(integrity.actual).not.toBe(champion.card.modelSha256);
    expect(integrity.message).toContain(champion.card.modelSha256);
    expect(integrity.message).toContain(integrity.actual);
    expect(readFileSync(join(dest, "model.onnx")).equals(served)).toBe(true);
    expect((await registry.get(model, "champion")).version).toBe("1");

    await registry.promote(model, "2");
    await expect(registry.promote(model, "1")).rejects.toBeInstanceOf(ModelIntegrityError);
    expect((await registry.get(model, "champion")).version).toBe("2");
  });
});

describe("file registry under concurrent writers", () => {
  it("gives concurrent registrations from two registry instances distinct consecutive versions", async () => {
    const root = join(work, "concurrent");
    const model = "concurrent-model";
    const publisher = new InProcessModelEventPublisher();
    const a = createModelRegistry(createFileStore({ root }), { publisher, logger: quiet });
    const b = createModelRegistry(createFileStore({ root }), { publisher, logger: quiet });
    const folders = Array.from({ length: 6 }, (_, i) => modelFolder(model, [i, 1], i));
    const versions = await Promise.all(folders.map((f, i) => (i % 2 === 0 ? a : b).register(f)));
    expect(versions.map((v) => v.version).sort((x, y) => Number(x) - Number(y))).toEqual(["1", "2", "3", "4", "5", "6"]);
    await Promise.all([a.promote(model, "3"), b.promote(model, "4")]);
    const state = await a.aliases(model);
    expect(["3", "4"]).toContain(state.aliases.champion);
    expect(state.championHistory).toHaveLength(1);
  });
});

describe("file registry across processes", () => {
  it("gives registrations from two processes distinct consecutive versions through the lock file", async () => {
    const root = join(work, "processes");
    const model = "process-model";
    const folders = Array.from({ length: 6 }, (_, i) => modelFolder(model, [i, 2], i));
    const script = join(work, "register-many.mts");
    const registryIndex = resolve(import.meta.dirname, "../../../services/registry/index.ts");
    writeFileSync(
      script,
      [
        `import { createFileStore, createModelRegistry, InProcessModelEventPublisher } from ${JSON.stringify(registryIndex)};`,
        `const [startAt, root, ...folders] = process.argv.slice(2);`,
        // Both processes start registering at the same instant, whatever their start-up time.
        `await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));`,
        `const registry = createModelRegistry(createFileStore({ root }), { publisher: new InProcessModelEventPublisher(), logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });`,
        `const versions = await Promise.all(folders.map((f) => registry.register(f).then((v) => v.version)));`,
        `process.stdout.write(JSON.stringify(versions));`,
      ].join("\n"),
    );
    const startAt = String(Date.now() + 4_000);
    const run = (dirs: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", script, startAt, root, ...dirs], { cwd: resolve(import.meta.dirname, "../../..") });
    const [a, b] = await Promise.all([run(folders.slice(0, 3)), run(folders.slice(3))]);
    const versions = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as string[];
    expect(versions.sort((x, y) => Number(x) - Number(y))).toEqual(["1", "2", "3", "4", "5", "6"]);
    const registry = createModelRegistry(createFileStore({ root }), { publisher: new InProcessModelEventPublisher(), logger: quiet });
    const listed = await registry.list(model);
    expect(new Set(listed.map((v) => v.card.modelSha256)).size).toBe(6);
  });
});
