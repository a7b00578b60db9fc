// The compiled-tree evaluator on what the trainer really exports: each regression candidate
// is fitted on a small synthetic set with missing values and exported through the trainer's
// own ONNX path (tests/support/trainer_models.py, in the trainer's venv). LightGBM must
// compile and give onnxruntime's float32 on every probe row; a model the compiler does not
// take must say why, and is then served by onnxruntime alone.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainerPython } from "../../../services/retrainer/index.ts";
import { compileTreeEnsemble, probeRows, type TreeEnsemble } from "../../../stream/scoring/index.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
let dir: string;
let models: string[];
let nFeatures: number;

beforeAll(() => {
  const python = trainerPython();
  expect(existsSync(python), `no trainer venv at ${python}: run bash services/trainer/install.sh`).toBe(true);
  dir = mkdtempSync(join(tmpdir(), "ef-trainer-trees-"));
  const out = JSON.parse(execFileSync(python, [join(ROOT, "tests/support/trainer_models.py"), dir], { encoding: "utf8" })) as { models: string[]; nFeatures: number };
  ({ models, nFeatures } = out);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function agree(onnx: Buffer, trees: TreeEnsemble): Promise<void> {
  const { rows, n } = probeRows(trees, 2000);
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  const expected = (await session.run({ input: new ort.Tensor("float32", rows, [n, nFeatures]) }))[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  const got = trees.predict(rows, n);
  const differing = [...expected].flatMap((v, i) => (v === got[i] ? [] : [{ row: i, onnxruntime: v, compiled: got[i] }]));
  expect(differing.slice(0, 5)).toEqual([]);
}

describe("compiled trees on the trainer's own exports", () => {
  it("compile LightGBM and agree with onnxruntime bit for bit, missing values included", async () => {
    expect(models).toContain("lightgbm");
    const onnx = readFileSync(join(dir, "lightgbm.onnx"));
    const r = await compileTreeEnsemble(onnx, nFeatures);
    expect(r.ok ? "compiled" : r.unsupported).toBe("compiled");
    if (r.ok) {
      expect(r.ensemble.nTrees).toBeGreaterThan(10);
      await agree(onnx, r.ensemble);
    }
  });

  it("agree with onnxruntime on the random forest, or say why they do not take it", async () => {
    const onnx = readFileSync(join(dir, "random_forest.onnx"));
    const r = await compileTreeEnsemble(onnx, nFeatures);
    if (r.ok) await agree(onnx, r.ensemble);
    else expect(r.unsupported).toMatch(/^(the graph|aggregate_function|post_transform|attribute)/);
  });

  it("leave the linear model to onnxruntime, naming why", async () => {
    const r = await compileTreeEnsemble(readFileSync(join(dir, "ridge.onnx")), nFeatures);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.unsupported).toMatch(/graph/);
  });
});
