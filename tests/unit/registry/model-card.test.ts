import { describe, expect, it } from "vitest";
import { ModelCard, defineFeatureSpec } from "../../../schemas/index.ts";

const spec = defineFeatureSpec({
  name: "bike-next-hour",
  version: 1,
  features: [
    { name: "hour", type: "numeric" },
    { name: "lag_1h", type: "numeric" },
  ],
});

/** A card as the Python trainer writes it (version null, extra fields it reports). */
function trainerCard(): Record<string, unknown> {
  return {
    name: "bike-next-hour",
    version: null,
    task: "regression",
    created: "2026-11-23T10:00:00.123Z",
    useCase: "bike-traffic",
    label: "count_next_hour",
    featureSpec: spec,
    featureSpecHash: spec.hash,
    modelSha256: "ab".repeat(32),
    snapshot: { id: "snap-1", sha256: "cd".repeat(32), rows: 1000, from: "2020-09-01T00:00:00Z", to: "2020-11-01T00:00:00Z" },
    split: {
      trainFrom: "2020-09-01T00:00:00Z",
      trainTo: "2020-10-15T00:00:00Z",
      testFrom: "2020-10-15T00:00:00Z",
      testTo: "2020-11-01T00:00:00Z",
      trainRows: 800,
      testRows: 200,
    },
    chosen: { name: "lightgbm", params: { num_leaves: 31 } },
    metrics: {
      test: { rmse: 42.5, mae: 25.1, r2: 0.81 },
      candidates: [{ name: "lightgbm", params: { num_leaves: 31 }, metrics: { rmse: 42.5 }, trainSeconds: 1.2, validation: { rmse: 40 } }],
      baselines: [{ name: "lag_1h", column: "lag_1h", metrics: { rmse: 70 } }],
    },
    selection: { by: "validation rmse" },
    onnx: { input: "input", output: "variable", kind: "regressor", opset: 15, nFeatures: 2 },
    parity: { maxRelativeError: 1e-7 },
    trainingSeconds: 3.4,
    parent: null,
    trainer: { version: "0.1.0", python: "3.12.3", libraries: { lightgbm: "4.5.0" } },
  };
}

function issuesOf(card: unknown): string[] {
  const r = ModelCard.safeParse(card);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("ModelCard", () => {
  it("accepts the trainer's card and keeps the fields it does not know", () => {
    const card = ModelCard.parse(trainerCard());
    expect(card.version).toBeNull();
    expect(card.featureSpec.features.map((f) => f.name)).toEqual(["hour", "lag_1h"]);
    expect((card as Record<string, unknown>).selection).toEqual({ by: "validation rmse" });
    expect((card.metrics.candidates[0] as Record<string, unknown>).validation).toEqual({ rmse: 40 });
  });

  it("accepts a registry-assigned version, a classification threshold and a recorded gate decision", () => {
    const card = ModelCard.parse({
      ...trainerCard(),
      version: "3",
      task: "classification",
      threshold: 0.12,
      gate: { promote: false, reasons: ["auc 0.7 < bound 0.75"], championVersion: null },
    });
    expect(card.version).toBe("3");
    expect(card.threshold).toBe(0.12);
    expect(card.gate?.reasons).toEqual(["auc 0.7 < bound 0.75"]);
  });

  it("accepts created with a +00:00 offset and microseconds, as Python's isoformat writes it", () => {
    expect(issuesOf({ ...trainerCard(), created: "2026-11-23T10:00:00.123456+00:00" })).toEqual([]);
  });

  it("refuses a model hash that is not 64 lowercase hex characters", () => {
    expect(issuesOf({ ...trainerCard(), modelSha256: "AB".repeat(32) })).toEqual(["modelSha256: modelSha256 must be a lowercase hex sha256 (64 characters)"]);
    expect(issuesOf({ ...trainerCard(), modelSha256: "ab" })).toHaveLength(1);
  });

  it("refuses a featureSpecHash that differs from the spec's own hash", () => {
    expect(issuesOf({ ...trainerCard(), featureSpecHash: "0".repeat(64) })).toEqual([
      `featureSpecHash: featureSpecHash ${"0".repeat(64)} differs from featureSpec.hash ${spec.hash}`,
    ]);
  });

  it("refuses an ONNX signature whose feature count differs from the spec", () => {
    const card = trainerCard();
    expect(issuesOf({ ...card, onnx: { ...(card.onnx as object), nFeatures: 3 } })).toEqual([
      "onnx.nFeatures: onnx.nFeatures is 3 but the feature spec lists 2 features",
    ]);
  });

  it("refuses an unknown task and an unknown feature type", () => {
    expect(issuesOf({ ...trainerCard(), task: "ranking" })[0]).toMatch(/^task: /);
    const badSpec = { ...spec, features: [{ name: "hour", type: "text" }, { name: "lag_1h", type: "numeric" }] };
    expect(issuesOf({ ...trainerCard(), featureSpec: badSpec })[0]).toMatch(/^featureSpec\.features\.0\.type: /);
  });

  it("refuses a version that is not a positive integer string", () => {
    expect(issuesOf({ ...trainerCard(), version: "v2" })).toEqual(["version: version must be a positive integer string"]);
    expect(issuesOf({ ...trainerCard(), version: 2 })).toHaveLength(1);
  });

  it("refuses a created time that is not ISO 8601", () => {
    expect(issuesOf({ ...trainerCard(), created: "yesterday" })).toEqual(["created: created must be an ISO 8601 date or date-time"]);
  });

  it("names each missing field serving relies on", () => {
    const card = trainerCard();
    delete card.onnx;
    delete card.featureSpec;
    const issues = issuesOf(card);
    expect(issues.some((i) => i.startsWith("onnx:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("featureSpec:"))).toBe(true);
  });

  it("refuses a non-numeric test metric", () => {
    const card = trainerCard();
    expect(issuesOf({ ...card, metrics: { ...(card.metrics as object), test: { rmse: "42" } } })[0]).toMatch(/^metrics\.test\.rmse: /);
  });

  it("refuses a duplicated feature name", () => {
    const dup = { ...spec, features: [{ name: "hour", type: "numeric" }, { name: "hour", type: "numeric" }] };
    expect(issuesOf({ ...trainerCard(), featureSpec: dup })).toEqual(['featureSpec.features: feature "hour" is listed twice']);
  });
});
