// A loaded, verified model version: onnxruntime-node session + its card. Loading checks
// the sha256 of model.onnx against the card and the card's feature spec hash against the
// features the caller computes; either mismatch refuses the model (the caller keeps
// serving the one it has).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { ModelCard, SchemaViolation, issuesOf } from "../../schemas/index.ts";
import { createLogger } from "../runtime/log.ts";
import { FeatureSpecMismatch, ModelLoadRefused } from "./errors.ts";
import { compileTreeEnsemble, probeRows, type TreeEnsemble } from "./tree-ensemble.ts";

/** Batches up to this many rows go to the compiled trees when a model has them; larger ones to onnxruntime. */
export const SMALL_BATCH_ROWS = 4;
const log = createLogger("model");

export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly card: ModelCard;
  readonly nFeatures: number;
  /** "onnxruntime", or "onnxruntime + compiled trees" when small batches are scored in JavaScript (tree-ensemble.ts). */
  readonly engine: string;
  /** rows: n × nFeatures float32, row-major. Returns one value per row (regression value or positive-class probability). */
  predict(rows: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface LoadOptions {
  /** Hash of the feature spec the caller will feed; a different card hash refuses the model. */
  expectedFeatureSpecHash?: string;
  /** onnxruntime intra-op threads; 1 keeps a 2-core machine responsive under load. */
  threads?: number;
}

export async function loadModelFolder(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const cardText = await readFile(join(dir, "card.json"), "utf8").catch((e: Error) => {
    throw new ModelLoadRefused(dir, `cannot read card.json: ${e.message}`);
  });
  const parsed = ModelCard.safeParse(JSON.parse(cardText));
  if (!parsed.success) throw new SchemaViolation(`${dir}/card.json`, issuesOf(parsed.error));
  const card = parsed.data;
  const label = `${card.name} v${card.version ?? "?"}`;
  if (options.expectedFeatureSpecHash && card.featureSpecHash !== options.expectedFeatureSpecHash) {
    throw new FeatureSpecMismatch(label, options.expectedFeatureSpecHash, card.featureSpecHash);
  }
  const bytes = await readFile(join(dir, "model.onnx"));
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== card.modelSha256) {
    throw new ModelLoadRefused(label, `sha256 of model.onnx is ${sha}, the card expects ${card.modelSha256}`);
  }
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const { input, output } = card.onnx;
  if (!session.inputNames.includes(input) || !session.outputNames.includes(output)) {
    await session.release();
    throw new ModelLoadRefused(
      label,
      `the card names input "${input}" and output "${output}", the graph has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}]`,
    );
  }
  const nFeatures = card.onnx.nFeatures;
  const classification = card.task === "classification";
  const run = async (rows: Float32Array, n: number): Promise<Float32Array> => {
    const result = await session.run({ [input]: new ort.Tensor("float32", rows, [n, nFeatures]) }, [output]);
    const data = result[output]!.data as Float32Array;
    if (!classification) return data.length === n ? data : Float32Array.from({ length: n }, (_, i) => data[i]!);
    // probabilities [n, 2]: the positive class is column 1.
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = data[i * 2 + 1]!;
    return out;
  };
  const trees = classification ? undefined : await verifiedTrees(label, bytes, nFeatures, run);

  return {
    name: card.name,
    version: card.version ?? "unregistered",
    card,
    nFeatures,
    engine: trees ? "onnxruntime + compiled trees" : "onnxruntime",
    async predict(rows, n) {
      if (rows.length !== n * nFeatures) {
        throw new RangeError(`${label}: got ${rows.length} values for ${n} rows of ${nFeatures} features`);
      }
      return trees && n <= SMALL_BATCH_ROWS ? trees.predict(rows, n) : run(rows, n);
    },
    async close() {
      await session.release();
    },
  };
}

/**
 * The model's trees compiled to JavaScript, if its graph is one the compiler takes and the
 * compiled trees give onnxruntime's answers bit for bit on probe rows built around the
 * model's own thresholds (values at, just below and just above a split, and missing values).
 * Otherwise undefined: the model is served by onnxruntime alone.
 */
export async function verifiedTrees(label: string, bytes: Uint8Array, nFeatures: number, run: (rows: Float32Array, n: number) => Promise<Float32Array>): Promise<TreeEnsemble | undefined> {
  try {
    return await compileAndCheck(label, bytes, nFeatures, run);
  } catch (error) {
    // A fault here must not refuse a model onnxruntime loaded and serves.
    log.warn("compiling the model's trees failed; the model is served by onnxruntime alone", { model: label, error });
    return undefined;
  }
}

async function compileAndCheck(label: string, bytes: Uint8Array, nFeatures: number, run: (rows: Float32Array, n: number) => Promise<Float32Array>): Promise<TreeEnsemble | undefined> {
  const compiled = await compileTreeEnsemble(bytes, nFeatures);
  if (!compiled.ok) {
    log.debug("model served by onnxruntime alone", { model: label, reason: compiled.unsupported });
    return undefined;
  }
  const trees = compiled.ensemble;
  const { rows, n } = probeRows(trees, PROBE_ROWS);
  const expected = await run(rows, n);
  // Small slices: the first rows run before V8 has optimized the generated code (≈ 1 ms a
  // row for 800 trees).
  const got = new Float32Array(n);
  await predictInSlices(trees, rows, n, PROBE_SLICE, got);
  const differ = expected.findIndex((v, i) => v !== got[i] && !(Number.isNaN(v) && Number.isNaN(got[i])));
  if (differ >= 0) {
    log.warn("compiled trees disagree with onnxruntime; the model is served by onnxruntime alone", { model: label, row: differ, onnxruntime: expected[differ], compiled: got[differ] });
    return undefined;
  }
  await warmUp(trees, rows, n);
  return trees;
}

/**
 * Runs the probe rows through the compiled trees until V8 has optimized them, before the
 * model serves. The generated code runs 10–30× slower until then (≈ 16,000 rows for 200
 * trees of 63 leaves): a model swapped in cold would put the first seconds of a busy API's
 * requests on an overloaded core. The probe rows walk most paths through the trees, so the
 * optimized code has feedback for most branches. In slices, yielding between them, so a
 * server that loads a new model keeps answering with the current one meanwhile.
 */
async function warmUp(trees: TreeEnsemble, rows: Float32Array, n: number): Promise<void> {
  let best = Infinity;
  let settled = 0;
  for (let pass = 0; pass < WARM_MAX_PASSES && settled < WARM_SETTLED_PASSES; pass++) {
    const took = await predictInSlices(trees, rows, n, WARM_SLICE);
    // Settled: several passes in a row within a quarter of the fastest one, past the passes
    // V8 needs to reach its top tier at all.
    settled = pass >= WARM_MIN_PASSES && took <= best * 1.25 ? settled + 1 : 0;
    best = Math.min(best, took);
  }
}

/**
 * Scores `n` rows `slice` at a time, yielding to the event loop between slices so the model
 * being served keeps answering; writes into `out` if given. Returns the milliseconds spent
 * in the trees themselves (not in what ran while yielded).
 */
async function predictInSlices(trees: TreeEnsemble, rows: Float32Array, n: number, slice: number, out?: Float32Array): Promise<number> {
  const { nFeatures } = trees;
  let busy = 0;
  for (let r = 0; r < n; r += slice) {
    const k = Math.min(slice, n - r);
    const started = performance.now();
    const values = trees.predict(rows.subarray(r * nFeatures, (r + k) * nFeatures), k);
    busy += performance.now() - started;
    out?.set(values, r);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return busy;
}

const PROBE_ROWS = 512;
const PROBE_SLICE = 8;
const WARM_SLICE = 64;
const WARM_MIN_PASSES = 32;
const WARM_SETTLED_PASSES = 4;
const WARM_MAX_PASSES = 96;
