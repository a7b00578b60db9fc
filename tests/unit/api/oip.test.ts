// Open Inference Protocol v2: health, metadata, readiness and inference, including a request
// body copied as is from KServe's documentation (sklearn "iris-input-v2.json").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineFeatureSpec } from "../../../schemas/index.ts";
import { createApiApp, createCounterStateStore, createKeyStore, hashApiKey, pinnedModel, type ApiApp } from "../../../services/api/index.ts";
import { BIKE_FEATURE_NAMES } from "../../../stream/features/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";
import { PREDICT_KEY, get, harness, post, silent, type Harness } from "./fixtures.ts";

// From KServe's docs, "Deploy Scikit-learn models with InferenceService" (Open Inference
// Protocol section), the file they name iris-input-v2.json — unchanged.
const KSERVE_IRIS_INPUT_V2 = `{
  "inputs": [
    {
      "name": "input-0",
      "shape": [2, 4],
      "datatype": "FP32",
      "data": [
        [6.8, 2.8, 4.8, 1.4],
        [6.0, 3.4, 4.5, 1.6]
      ]
    }
  ]
}`;

describe("OIP v2 with KServe's documented request", () => {
  let app: ApiApp;
  let close: () => Promise<void>;
  const work = mkdtempSync(join(tmpdir(), "edgeflow-oip-"));
  beforeAll(async () => {
    const spec = defineFeatureSpec({
      name: "iris",
      version: 1,
      features: ["sepal_length", "sepal_width", "petal_length", "petal_width"].map((name) => ({ name, type: "numeric" as const })),
    });
    writeLinearModelFolder(work, { name: "sklearn-v2-iris", spec, weights: { sepal_length: 1, sepal_width: 10, petal_length: 100, petal_width: 1000 }, version: "1" });
    const served = await pinnedModel(work, spec.hash);
    close = () => served.close();
    app = createApiApp({
      models: served,
      modelName: "sklearn-v2-iris",
      registry: null,
      keys: createKeyStore([{ name: "client", sha256: hashApiKey(PREDICT_KEY), scopes: ["predict"] }]),
      counters: createCounterStateStore(),
      logger: silent,
    });
  });
  afterAll(async () => {
    await close();
    rmSync(work, { recursive: true, force: true });
  });

  it("scores the body from KServe's documentation unchanged", async () => {
    const res = await post(app, "/v2/models/sklearn-v2-iris/infer", KSERVE_IRIS_INPUT_V2);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ model_name: "sklearn-v2-iris", model_version: "1", id: expect.any(String) });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({ name: "variable", shape: [2, 1], datatype: "FP32" });
    expect(body.outputs[0].data[0]).toBeCloseTo(6.8 + 28 + 480 + 1400, 2);
    expect(body.outputs[0].data[1]).toBeCloseTo(6.0 + 34 + 450 + 1600, 2);
  });

  it("echoes the request id, takes flat data and other numeric datatypes", async () => {
    const res = await post(app, "/v2/models/sklearn-v2-iris/infer", { id: "42", inputs: [{ name: "x", shape: [1, 4], datatype: "INT64", data: [1, 2, 3, 4] }], outputs: [{ name: "variable" }] });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.id).toBe("42");
    expect(body.outputs[0].data).toEqual([4321]);
    const fp64 = await post(app, "/v2/models/sklearn-v2-iris/infer", { inputs: [{ name: "x", shape: [4], datatype: "FP64", data: [0, 0, 0, 0.5] }] });
    expect((await fp64.json()).outputs[0]).toMatchObject({ shape: [1, 1], data: [500] });
  });

  it("answers 400 with {error} for shapes, data and datatypes that do not fit", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ inputs: [{ name: "x", shape: [2, 3], datatype: "FP32", data: [1, 2, 3, 4, 5, 6] }] }, /shape \[2, 3\] does not fit the model's \[-1, 4\]/],
      [{ inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: [1, 2, 3] }] }, /data has 3 elements, shape \[2, 4\] needs 8/],
      [{ inputs: [{ name: "x", shape: [1, 4], datatype: "BYTES", data: [1, 2, 3, 4] }] }, /BYTES is not supported/],
      [{ inputs: [{ name: "x", shape: [1, 4], datatype: "UINT8", data: [1, 2, 3, 256] }] }, /element 3 \(256\) is not a UINT8 value/],
      [{ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }], outputs: [{ name: "probabilities" }] }, /unknown output "probabilities"/],
      [{ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }, { name: "y", shape: [1], datatype: "FP32", data: [1] }] }, /exactly one input tensor, got 2/],
      [{ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4], extra: true }] }, /inputs\.0\.extra: unknown field/],
      [{ inputs: [] }, /inputs/],
    ];
    for (const [body, message] of cases) {
      const res = await post(app, "/v2/models/sklearn-v2-iris/infer", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await res.json();
      expect(typeof error.error).toBe("string");
      expect(error.error).toMatch(message);
    }
  });

  it("answers 404 for a model it does not serve", async () => {
    const infer = await post(app, "/v2/models/resnet/infer", JSON.parse(KSERVE_IRIS_INPUT_V2));
    expect(infer.status).toBe(404);
    expect((await infer.json()).error).toContain('model "resnet" is not served here');
    expect((await get(app, "/v2/models/resnet")).status).toBe(404);
    expect((await get(app, "/v2/models/resnet/ready")).status).toBe(404);
  });

  it("describes the model and its readiness", async () => {
    expect(await (await get(app, "/v2/models/sklearn-v2-iris")).json()).toEqual({
      name: "sklearn-v2-iris",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "input", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "variable", datatype: "FP32", shape: [-1, 1] }],
    });
    expect(await (await get(app, "/v2/models/sklearn-v2-iris/ready")).json()).toEqual({ name: "sklearn-v2-iris", ready: true });
    expect(await (await get(app, "/v2/health/live", null)).json()).toEqual({ live: true });
    expect(await (await get(app, "/v2/health/ready", null)).json()).toEqual({ ready: true });
    expect(await (await get(app, "/v2", null)).json()).toMatchObject({ name: "edgeflow", extensions: [] });
  });
});

describe("OIP v2 on the bike model", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ weights: { hour: 1, lag_1h: 2 } });
  });
  afterAll(() => h.close());

  it("scores raw feature rows in the feature spec's order", async () => {
    const row = BIKE_FEATURE_NAMES.map((n) => (n === "hour" ? 9 : n === "lag_1h" ? 100 : 7));
    const res = await post(h.app, "/v2/models/bike-next-hour/infer", { inputs: [{ name: "input", shape: [2, row.length], datatype: "FP32", data: [row, row] }] });
    expect(res.status).toBe(200);
    expect((await res.json()).outputs[0].data).toEqual([209, 209]);
  });

  it("answers 503 on readiness, model readiness and predict while no model is loaded", async () => {
    const app = createApiApp({
      models: { current: () => null, use: () => null },
      modelName: "bike-next-hour",
      registry: null,
      keys: createKeyStore([{ name: "client", sha256: hashApiKey(PREDICT_KEY), scopes: ["predict"] }]),
      counters: createCounterStateStore(),
      logger: silent,
    });
    expect((await get(app, "/ready", null)).status).toBe(503);
    expect(await (await get(app, "/v2/health/ready", null)).json()).toEqual({ ready: false });
    expect((await get(app, "/v2/models/bike-next-hour/ready")).status).toBe(503);
    const predict = await post(app, "/v1/predict", { counterId: "x", timestamp: 1_614_585_600_000 });
    expect(predict.status).toBe(503);
    expect((await predict.json()).code).toBe("NOT_READY");
  });
});
