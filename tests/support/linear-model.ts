// Builds real, tiny ONNX models for tests: y = X·w + b (MatMul + Add), encoded by hand in
// protobuf so tests need no Python. onnxruntime-node loads them like any trained model.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FeatureSpec } from "../../schemas/index.ts";
import { bytes, int, str } from "./protobuf.ts";

function tensorType(dims: Array<number | string>): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === "number" ? int(1, d) : str(2, d)));
  return bytes(1, [...int(1, 1), ...bytes(2, shape)]); // TypeProto.tensor_type{elem_type FLOAT, shape}
}
const valueInfo = (name: string, dims: Array<number | string>) => [...str(1, name), ...bytes(2, tensorType(dims))];

function floatTensor(name: string, dims: number[], values: number[]): number[] {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return [...dims.flatMap((d) => int(1, d)), ...int(2, 1), ...str(8, name), ...bytes(9, raw)];
}

const node = (inputs: string[], output: string, op: string) => [...inputs.flatMap((i) => str(1, i)), ...str(2, output), ...str(3, `${op}_0`), ...str(4, op)];

/** ONNX bytes of y[N,1] = input[N,F] · weights + bias. */
export function linearOnnx(weights: number[], bias: number): Buffer {
  const f = weights.length;
  const graph = [
    ...bytes(1, node(["input", "W"], "xw", "MatMul")),
    ...bytes(1, node(["xw", "B"], "variable", "Add")),
    ...str(2, "linear"),
    ...bytes(5, floatTensor("W", [f, 1], weights)),
    ...bytes(5, floatTensor("B", [1], [bias])),
    ...bytes(11, valueInfo("input", ["N", f])),
    ...bytes(12, valueInfo("variable", ["N", 1])),
  ];
  return Buffer.from([...int(1, 8), ...str(2, "edgeflow-tests"), ...bytes(7, graph), ...bytes(8, [...str(1, ""), ...int(2, 13)])]);
}

export interface LinearModelSpec {
  name: string;
  spec: FeatureSpec;
  /** Weight per feature name; others 0. */
  weights: Record<string, number>;
  bias?: number;
  version?: string | null;
  metrics?: Record<string, number>;
}

/** Writes a complete model version folder (model.onnx, card.json, reference.json). */
export function writeLinearModelFolder(dir: string, m: LinearModelSpec): { dir: string; sha256: string } {
  mkdirSync(dir, { recursive: true });
  const onnx = linearOnnx(m.spec.features.map((f) => m.weights[f.name] ?? 0), m.bias ?? 0);
  const sha256 = createHash("sha256").update(onnx).digest("hex");
  writeFileSync(join(dir, "model.onnx"), onnx);
  const metrics = m.metrics ?? { rmse: 50, mae: 30, r2: 0.8 };
  const card = {
    name: m.name,
    version: m.version ?? null,
    task: "regression",
    created: new Date().toISOString(),
    useCase: "bike-traffic",
    label: "count_next_hour",
    featureSpec: m.spec,
    featureSpecHash: m.spec.hash,
    modelSha256: sha256,
    snapshot: { id: "test-snapshot", sha256: "0".repeat(64), rows: 100, from: "2020-09-01T00:00:00.000Z", to: "2020-10-01T00:00:00.000Z" },
    split: {
      trainFrom: "2020-09-01T00:00:00.000Z",
      trainTo: "2020-09-20T00:00:00.000Z",
      testFrom: "2020-09-20T00:00:00.000Z",
      testTo: "2020-10-01T00:00:00.000Z",
      trainRows: 80,
      testRows: 20,
    },
    chosen: { name: "linear", params: { weights: m.weights, bias: m.bias ?? 0 } },
    metrics: { test: metrics, candidates: [{ name: "linear", params: {}, metrics, trainSeconds: 0 }], baselines: [] },
    onnx: { input: "input", output: "variable", kind: "regression", opset: 13, nFeatures: m.spec.features.length },
    trainingSeconds: 0,
    parent: null,
    trainer: { package: "tests/support/linear-model.ts" },
  };
  writeFileSync(join(dir, "card.json"), JSON.stringify(card, null, 2));
  const numeric = { kind: "numeric", n: 100, missing: 0, mean: 50, std: 20, min: 0, max: 100, quantileEdges: [0, 50, 100], binCounts: [50, 50], sample: [10, 50, 90] };
  writeFileSync(
    join(dir, "reference.json"),
    JSON.stringify({ schemaVersion: 1, featureSpecHash: m.spec.hash, rows: 100, features: Object.fromEntries(m.spec.features.map((f) => [f.name, numeric])), prediction: numeric }),
  );
  return { dir, sha256 };
}
