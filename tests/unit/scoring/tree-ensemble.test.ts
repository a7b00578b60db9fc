// The compiled-tree evaluator against onnxruntime itself: tree ensembles built by hand in
// ONNX (tests/support/tree-model.ts) are scored by both, and every value must be the same
// float32, on rows that sit on, just below and just above the splits, hold missing values,
// infinities and signed zeros. Graphs the compiler cannot take must be named, not guessed.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { compileTreeEnsemble, loadModelFolder, probeRows, verifiedTrees, type TreeEnsemble } from "../../../stream/scoring/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";
import { randomTree, treeEnsembleOnnx, type EnsembleSpec } from "../../support/tree-model.ts";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

async function onnxruntime(onnx: Buffer, rows: Float32Array, n: number, nFeatures: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input: new ort.Tensor("float32", rows, [n, nFeatures]) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function compiled(onnx: Buffer, nFeatures: number): Promise<TreeEnsemble> {
  const r = await compileTreeEnsemble(onnx, nFeatures);
  if (!r.ok) throw new Error(`not compiled: ${r.unsupported}`);
  return r.ensemble;
}

/** Probe rows plus hand-picked awkward values. */
function rowsFor(trees: TreeEnsemble, random: () => number): { rows: Float32Array; n: number } {
  const probe = probeRows(trees, 400);
  const awkward = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38];
  const extra = 100;
  const rows = new Float32Array((probe.n + extra) * trees.nFeatures);
  rows.set(probe.rows);
  for (let i = probe.rows.length; i < rows.length; i++) rows[i] = random() < 0.5 ? awkward[Math.floor(random() * awkward.length)]! : (random() - 0.5) * 20;
  return { rows, n: probe.n + extra };
}

async function expectSameAsOnnxruntime(spec: EnsembleSpec, seed = 7): Promise<void> {
  const onnx = treeEnsembleOnnx(spec);
  const trees = await compiled(onnx, spec.nFeatures);
  const { rows, n } = rowsFor(trees, seeded(seed));
  const expected = await onnxruntime(onnx, rows, n, spec.nFeatures);
  const got = trees.predict(rows, n);
  const differing = [...expected].flatMap((v, i) => (v === got[i] || (Number.isNaN(v) && Number.isNaN(got[i])) ? [] : [{ row: i, onnxruntime: v, compiled: got[i] }]));
  expect(differing.slice(0, 5)).toEqual([]);
  // One row at a time too (the path requests take).
  for (let r = 0; r < 50; r++) expect(trees.predict(rows.subarray(r * spec.nFeatures, (r + 1) * spec.nFeatures), 1)[0]).toBe(expected[r]);
}

describe("compiled tree ensembles", () => {
  it("give onnxruntime's float32 for random ensembles with <= and < splits and missing values on either side", async () => {
    const thresholds = [-2.5, -1, -0.25, 0, 0.1, 0.5, 1, 3.75, 10];
    for (const seed of [1, 2, 3]) {
      const random = seeded(seed);
      const trees = Array.from({ length: 40 }, () => randomTree(random, 6, thresholds, 7));
      await expectSameAsOnnxruntime({ nFeatures: 6, trees }, seed);
    }
  });

  it("add the base value, take one-leaf trees and an Identity after", async () => {
    const random = seeded(11);
    const trees = [
      { leaf: 0.5 },
      ...Array.from({ length: 20 }, () => randomTree(random, 4, [0, 1, 2], 5)),
      { leaf: 3 },
      { feature: 2, threshold: 1, yes: { leaf: 1 }, no: { leaf: -7.5 } },
    ];
    await expectSameAsOnnxruntime({ nFeatures: 4, trees, baseValues: [100.5], after: "Identity" });
  });

  it("take an ensemble without missing-value tracks (missing goes to the false side)", async () => {
    const random = seeded(5);
    await expectSameAsOnnxruntime({ nFeatures: 3, trees: Array.from({ length: 10 }, () => randomTree(random, 3, [0, 1], 4)), noMissingTracks: true });
  });

  it("name what they cannot take instead of guessing", async () => {
    const leafy = [{ feature: 0, threshold: 1, yes: { leaf: 1 }, no: { leaf: 2 } }];
    const refusals: Array<[EnsembleSpec, RegExp]> = [
      [{ nFeatures: 2, trees: [{ feature: 0, threshold: 1, mode: "BRANCH_GTE", yes: { leaf: 1 }, no: { leaf: 2 } }] }, /node mode BRANCH_GTE/],
      [{ nFeatures: 2, trees: leafy, postTransform: "LOGISTIC" }, /post_transform is LOGISTIC/],
      [{ nFeatures: 2, trees: leafy, aggregate: "AVERAGE" }, /aggregate_function is AVERAGE/],
      [{ nFeatures: 2, trees: leafy, nTargets: 2 }, /n_targets is 2/],
      [{ nFeatures: 2, trees: leafy, after: "Abs" }, /a Abs node after the tree ensemble/],
      [{ nFeatures: 2, trees: [{ feature: 5, threshold: 1, yes: { leaf: 1 }, no: { leaf: 2 } }] }, /a split on feature 5 of 2/],
      [{ nFeatures: 2, trees: leafy, baseValues: [1, 2] }, /2 base values/],
      [{ nFeatures: 2, trees: [{ feature: 0, threshold: 1, yes: { leaf: [1, 2] }, no: { leaf: 2 } }] }, /tree 0 leaf 1 has more than one weight/],
    ];
    for (const [spec, reason] of refusals) {
      const r = await compileTreeEnsemble(treeEnsembleOnnx(spec), spec.nFeatures);
      expect(r.ok ? "compiled" : r.unsupported).toMatch(reason);
    }
    const linear = writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-trees-")), { name: "m", spec: BIKE_FEATURE_SPEC, weights: {} });
    expect(await compileTreeEnsemble(readFileSync(join(linear.dir, "model.onnx")), BIKE_FEATURE_SPEC.features.length)).toMatchObject({ ok: false, unsupported: expect.stringMatching(/initializers|MatMul/) });
    expect(await compileTreeEnsemble(Buffer.from("not a model at all"), 2)).toMatchObject({ ok: false });
  });

  it("are used only when they agree with onnxruntime on the probe rows", async () => {
    const onnx = treeEnsembleOnnx({ nFeatures: 2, trees: [{ feature: 0, threshold: 1, yes: { leaf: 1 }, no: { leaf: 2 } }] });
    const exact = async (rows: Float32Array, n: number) => onnxruntime(onnx, rows, n, 2);
    expect(await verifiedTrees("m", onnx, 2, exact)).toBeDefined();
    const offByOne = async (rows: Float32Array, n: number) => (await exact(rows, n)).map((v, i) => (i === 17 ? v + 1 : v));
    expect(await verifiedTrees("m", onnx, 2, offByOne)).toBeUndefined();
  });
});

describe("loadModelFolder with a tree ensemble", () => {
  it("serves small batches from the compiled trees and large ones from onnxruntime, with the same values", async () => {
    const nFeatures = BIKE_FEATURE_SPEC.features.length;
    const random = seeded(42);
    const onnx = treeEnsembleOnnx({ nFeatures, trees: Array.from({ length: 30 }, () => randomTree(random, nFeatures, [0, 5, 12, 50, 100, 1000], 6)), baseValues: [10] });
    const dir = mkdtempSync(join(tmpdir(), "ef-trees-"));
    // The linear fixture's card and reference, with this ensemble as model.onnx.
    writeLinearModelFolder(dir, { name: "trees", spec: BIKE_FEATURE_SPEC, weights: {} });
    writeFileSync(join(dir, "model.onnx"), onnx);
    const card = JSON.parse(readFileSync(join(dir, "card.json"), "utf8"));
    card.modelSha256 = createHash("sha256").update(onnx).digest("hex");
    writeFileSync(join(dir, "card.json"), JSON.stringify(card));
    const model = await loadModelFolder(dir, { expectedFeatureSpecHash: BIKE_FEATURE_SPEC.hash });
    expect(model.engine).toBe("onnxruntime + compiled trees");
    const n = 100;
    const rows = Float32Array.from({ length: n * nFeatures }, () => Math.fround(random() * 200 - 20));
    const all = await model.predict(rows, n);
    expect(all).toEqual(await onnxruntime(onnx, rows, n, nFeatures));
    for (let r = 0; r < n; r += 3) {
      const k = Math.min(3, n - r);
      expect(await model.predict(rows.subarray(r * nFeatures, (r + k) * nFeatures), k)).toEqual(all.subarray(r, r + k));
    }
    await model.close();
  });

  it("serves a model the compiler cannot take from onnxruntime alone", async () => {
    const { dir } = writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-trees-")), { name: "m", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 2 }, bias: 1 });
    const model = await loadModelFolder(dir);
    expect(model.engine).toBe("onnxruntime");
    await model.close();
  });
});
