// A tree ensemble read out of model.onnx and evaluated in JavaScript, for the small requests
// where onnxruntime's fixed cost per call (tensor objects, a deferred native call, the
// kernel's set-up: ≈ 20-40 µs) outweighs the trees themselves (≈ 4 µs for 200 trees).
//
// Only one graph shape is taken: a single ai.onnx.ml TreeEnsembleRegressor (one target, SUM,
// no post-transform, BRANCH_LEQ/BRANCH_LT/LEAF nodes) on the graph's one float input,
// followed by nothing but Identity nodes — what the trainer exports for LightGBM and
// scikit-learn regressors. Anything else is reported as unsupported and the caller keeps
// using onnxruntime alone. The arithmetic follows onnxruntime's kernel (float32 thresholds,
// leaf weights summed in float32 in tree order, then the base value), and the caller checks
// the two against each other on probe rows before trusting it (onnx-model.ts).
import { readProto, type ProtoFields } from "./onnx-proto.ts";

export interface TreeEnsemble {
  readonly nFeatures: number;
  readonly nTrees: number;
  readonly nNodes: number;
  /** Thresholds per feature (for probe rows). */
  readonly thresholds: ReadonlyArray<Float32Array>;
  /** rows: n × nFeatures float32, row-major; one value per row. */
  predict(rows: Float32Array, n: number): Float32Array;
}

export type TreeEnsembleResult = { ok: true; ensemble: TreeEnsemble } | { ok: false; unsupported: string };

const MODES = new Set(["BRANCH_LEQ", "BRANCH_LT", "LEAF"]);
/** Source characters per generated function: V8 optimizes functions up to ≈ 60 KB of bytecode. */
const FUNCTION_SOURCE_BUDGET = 48_000;

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTR_NAME = 1;
const ATTR_I = 3;
const ATTR_S = 4;
const ATTR_FLOATS = 7;
const ATTR_INTS = 8;
const ATTR_STRINGS = 9;
const VALUE_INFO_NAME = 1;

/** The node's attributes by name, decoded only as what the caller reads them as. */
function attributes(node: ProtoFields): Map<string, ProtoFields> {
  const out = new Map<string, ProtoFields>();
  for (const raw of node.messages(NODE_ATTRIBUTE)) out.set(raw.string(ATTR_NAME) ?? "", raw);
  return out;
}

/** Lets the event loop run between steps of a long compilation (a model swap must not stall serving). */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads model.onnx and compiles its tree ensemble, or says why it cannot. Yields to the
 * event loop between generated functions: an 800-tree model takes ≈ 0.4 s in all.
 */
export async function compileTreeEnsemble(onnx: Uint8Array, nFeatures: number): Promise<TreeEnsembleResult> {
  let graph: ProtoFields | undefined;
  try {
    graph = readProto(onnx).messages(MODEL_GRAPH)[0];
  } catch (e) {
    return { ok: false, unsupported: `model.onnx does not decode: ${(e as Error).message}` };
  }
  if (!graph) return { ok: false, unsupported: "model.onnx has no graph" };
  if (graph.messages(GRAPH_INITIALIZER).length > 0) return { ok: false, unsupported: "the graph has initializers" };
  const inputs = graph.messages(GRAPH_INPUT).map((v) => v.string(VALUE_INFO_NAME));
  const outputs = graph.messages(GRAPH_OUTPUT).map((v) => v.string(VALUE_INFO_NAME));
  if (inputs.length !== 1 || outputs.length !== 1) return { ok: false, unsupported: `the graph has ${inputs.length} inputs and ${outputs.length} outputs` };
  const nodes = graph.messages(GRAPH_NODE);
  const first = nodes[0];
  if (!first || first.string(NODE_OP_TYPE) !== "TreeEnsembleRegressor" || first.string(NODE_DOMAIN) !== "ai.onnx.ml") {
    return { ok: false, unsupported: `the graph starts with ${first?.string(NODE_OP_TYPE) ?? "nothing"}, not a TreeEnsembleRegressor` };
  }
  if (first.strings(NODE_INPUT)[0] !== inputs[0]) return { ok: false, unsupported: "the tree ensemble does not read the graph's input" };
  // Identity nodes only, chained from the ensemble's output to the graph's output.
  let tail = first.strings(NODE_OUTPUT)[0];
  for (const node of nodes.slice(1)) {
    const op = node.string(NODE_OP_TYPE);
    if (op !== "Identity" || node.strings(NODE_INPUT)[0] !== tail) return { ok: false, unsupported: `the graph has a ${op} node after the tree ensemble` };
    tail = node.strings(NODE_OUTPUT)[0];
  }
  if (tail !== outputs[0]) return { ok: false, unsupported: "the tree ensemble's output is not the graph's output" };

  await yieldToLoop();
  const a = attributes(first);
  const ints = (name: string) => a.get(name)?.ints(ATTR_INTS) ?? [];
  const floats = (name: string) => a.get(name)?.floats(ATTR_FLOATS) ?? [];
  const int = (name: string) => a.get(name)?.int(ATTR_I);
  const text = (name: string) => a.get(name)?.string(ATTR_S);
  for (const name of ["nodes_values_as_tensor", "target_weights_as_tensor", "base_values_as_tensor", "nodes_hitrates_as_tensor"]) {
    if (a.has(name)) return { ok: false, unsupported: `attribute ${name} is not read here` };
  }
  if ((int("n_targets") ?? 1) !== 1) return { ok: false, unsupported: `n_targets is ${int("n_targets")}` };
  if ((text("aggregate_function") ?? "SUM") !== "SUM") return { ok: false, unsupported: `aggregate_function is ${text("aggregate_function")}` };
  if ((text("post_transform") ?? "NONE") !== "NONE") return { ok: false, unsupported: `post_transform is ${text("post_transform")}` };
  const base = floats("base_values");
  if (base.length > 1) return { ok: false, unsupported: `${base.length} base values` };

  const treeIds = ints("nodes_treeids");
  const nodeIds = ints("nodes_nodeids");
  const featureIds = ints("nodes_featureids");
  const values = floats("nodes_values");
  const modes = a.get("nodes_modes")?.strings(ATTR_STRINGS) ?? [];
  const trueIds = ints("nodes_truenodeids");
  const falseIds = ints("nodes_falsenodeids");
  const missingTrue = ints("nodes_missing_value_tracks_true");
  await yieldToLoop();
  const count = treeIds.length;
  for (const [name, list] of [["nodes_nodeids", nodeIds], ["nodes_featureids", featureIds], ["nodes_values", values], ["nodes_modes", modes], ["nodes_truenodeids", trueIds], ["nodes_falsenodeids", falseIds]] as const) {
    if (list.length !== count) return { ok: false, unsupported: `${name} has ${list.length} entries for ${count} nodes` };
  }
  if (missingTrue.length !== 0 && missingTrue.length !== count) return { ok: false, unsupported: `nodes_missing_value_tracks_true has ${missingTrue.length} entries for ${count} nodes` };
  const badMode = modes.find((m) => !MODES.has(m));
  if (badMode) return { ok: false, unsupported: `node mode ${badMode}` };

  // Global index of each (tree, node); trees in order of first appearance, as onnxruntime sums them.
  const index = new Map<number, number>();
  // (tree, node) → one number: node ids stay below 2^24 in any model this serves.
  const key = (tree: number, node: number) => tree * 2 ** 24 + node;
  const roots: number[] = [];
  const seenTrees = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (nodeIds[i]! < 0 || nodeIds[i]! >= 2 ** 24) return { ok: false, unsupported: `node id ${nodeIds[i]}` };
    index.set(key(treeIds[i]!, nodeIds[i]!), i);
    if (!seenTrees.has(treeIds[i]!)) {
      seenTrees.add(treeIds[i]!);
      roots.push(-1);
    }
  }
  const leafWeight = new Float64Array(count);
  const weighted = new Uint8Array(count);
  const isLeaf = new Uint8Array(count);
  for (let i = 0; i < count; i++) isLeaf[i] = modes[i] === "LEAF" ? 1 : 0;
  const tTree = ints("target_treeids");
  const tNode = ints("target_nodeids");
  const tId = ints("target_ids");
  const tWeight = floats("target_weights");
  if (tTree.length !== tNode.length || tTree.length !== tWeight.length) return { ok: false, unsupported: "target_* attributes differ in length" };
  for (let k = 0; k < tTree.length; k++) {
    if ((tId[k] ?? 0) !== 0) return { ok: false, unsupported: `a leaf weight for target ${tId[k]}` };
    const at = index.get(key(tTree[k]!, tNode[k]!));
    if (at === undefined || !isLeaf[at]) return { ok: false, unsupported: `a leaf weight for tree ${tTree[k]} node ${tNode[k]}, which is not a leaf` };
    // onnxruntime does not sum several weights on one leaf the way the spec reads; no
    // exporter writes them, so they are not guessed at.
    if (weighted[at]) return { ok: false, unsupported: `tree ${tTree[k]} leaf ${tNode[k]} has more than one weight` };
    weighted[at] = 1;
    leafWeight[at] = Math.fround(tWeight[k]!);
  }

  await yieldToLoop();
  // Flat layout: internal nodes 0..m-1; a child < 0 is leaf ~child. A tree that is a single
  // leaf has root < 0.
  const internalOf = new Int32Array(count).fill(-1);
  const leafOf = new Int32Array(count).fill(-1);
  let nInternal = 0;
  let nLeaves = 0;
  for (let i = 0; i < count; i++) {
    if (isLeaf[i]) leafOf[i] = nLeaves++;
    else internalOf[i] = nInternal++;
  }
  const feature = new Int32Array(nInternal);
  const threshold = new Float64Array(nInternal);
  const strict = new Uint8Array(nInternal);
  const nanTrue = new Uint8Array(nInternal);
  const onTrue = new Int32Array(nInternal);
  const onFalse = new Int32Array(nInternal);
  const leaf = new Float64Array(nLeaves);
  const perFeature: number[][] = Array.from({ length: nFeatures }, () => []);
  const ref = (tree: number, node: number): number | string => {
    const at = index.get(key(tree, node));
    if (at === undefined) return `tree ${tree} points at node ${node}, which does not exist`;
    return isLeaf[at] ? ~leafOf[at]! : internalOf[at]!;
  };
  for (let i = 0; i < count; i++) {
    if (isLeaf[i]) {
      leaf[leafOf[i]!] = leafWeight[i]!;
      continue;
    }
    const j = internalOf[i]!;
    const f = featureIds[i]!;
    if (f < 0 || f >= nFeatures) return { ok: false, unsupported: `a split on feature ${f} of ${nFeatures}` };
    const t = ref(treeIds[i]!, trueIds[i]!);
    const e = ref(treeIds[i]!, falseIds[i]!);
    if (typeof t === "string") return { ok: false, unsupported: t };
    if (typeof e === "string") return { ok: false, unsupported: e };
    feature[j] = f;
    threshold[j] = Math.fround(values[i]!);
    strict[j] = modes[i] === "BRANCH_LT" ? 1 : 0;
    nanTrue[j] = missingTrue[i] ? 1 : 0;
    onTrue[j] = t;
    onFalse[j] = e;
    perFeature[f]!.push(threshold[j]!);
  }
  // Root of each tree: the node with node id 0, as onnxruntime takes it.
  const treeOrder = [...seenTrees];
  for (let k = 0; k < treeOrder.length; k++) {
    const r = ref(treeOrder[k]!, 0);
    if (typeof r === "string") return { ok: false, unsupported: `tree ${treeOrder[k]} has no node 0` };
    roots[k] = r;
  }
  await yieldToLoop();
  const rootOf = Int32Array.from(roots);
  const baseValue = base.length === 1 ? Math.fround(base[0]!) : 0;

  // Each tree becomes nested if/else with its thresholds and leaf values as literals (no
  // loads but the row's own values; each split its own branch site), a few trees per function
  // so that V8 still optimizes each one (≈ 48 KB of source; far larger ones stay interpreted
  // and run ≈ 8× slower). Only numbers from the decoded model reach the source text.
  const literal = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
  const tree = (i: number): string => {
    if (i < 0) return `v=${literal(leaf[~i]!)};`;
    const x = `x[o+${feature[i]}]`;
    const t = literal(threshold[i]!);
    // A NaN fails every comparison: where missing values go to the true side, ask the
    // opposite question and negate it.
    const test = nanTrue[i] ? (strict[i] ? `!(${x}>=${t})` : `!(${x}>${t})`) : strict[i] ? `${x}<${t}` : `${x}<=${t}`;
    return `if(${test}){${tree(onTrue[i]!)}}else{${tree(onFalse[i]!)}}`;
  };
  const parts: Array<(x: Float32Array, o: number, s: number) => number> = [];
  for (let k = 0; k < rootOf.length; ) {
    let body = "";
    while (k < rootOf.length && body.length < FUNCTION_SOURCE_BUDGET) body += `${tree(rootOf[k++]!)}s=fround(s+v);`;
    parts.push(new Function("fround", `"use strict";return function trees(x,o,s){let v=0;${body}return s;}`)(Math.fround));
    await yieldToLoop();
  }
  const nParts = parts.length;
  const evaluate = (rows: Float32Array, offset: number): number => {
    let sum = 0;
    for (let k = 0; k < nParts; k++) sum = parts[k]!(rows, offset, sum);
    return Math.fround(sum + baseValue);
  };

  return {
    ok: true,
    ensemble: {
      nFeatures,
      nTrees: rootOf.length,
      nNodes: count,
      thresholds: perFeature.map((list) => Float32Array.from(new Set(list)).sort()),
      predict(rows, n) {
        const out = new Float32Array(n);
        for (let r = 0; r < n; r++) out[r] = evaluate(rows, r * nFeatures);
        return out;
      },
    },
  };
}

/**
 * Rows that walk many paths through the trees: each value is a missing value (1 in 10), a
 * split threshold of its feature, the float32 just below or just above one, or a value
 * anywhere between the feature's outer thresholds. Deterministic (a fixed seed), so a
 * disagreement is reproducible.
 */
export function probeRows(trees: TreeEnsemble, n: number): { rows: Float32Array; n: number } {
  const rows = new Float32Array(n * trees.nFeatures);
  let seed = 0x2545f491;
  const random = (): number => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const bits = new DataView(new ArrayBuffer(4));
  const step = (v: number, by: number): number => {
    bits.setFloat32(0, v);
    if (v === 0) return by > 0 ? 1.4e-45 : -1.4e-45;
    bits.setInt32(0, bits.getInt32(0) + (v > 0 ? by : -by));
    return bits.getFloat32(0);
  };
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < trees.nFeatures; f++) {
      const splits = trees.thresholds[f]!;
      const u = random();
      let v: number;
      if (u < 0.1) v = Number.NaN;
      else if (splits.length === 0) v = random() * 2 - 1;
      else {
        const t = splits[Math.floor(random() * splits.length)]!;
        if (u < 0.4) v = t;
        else if (u < 0.6) v = step(t, -1);
        else if (u < 0.8) v = step(t, 1);
        else v = splits[0]! - 1 + random() * (splits[splits.length - 1]! - splits[0]! + 2);
      }
      rows[r * trees.nFeatures + f] = v;
    }
  }
  return { rows, n };
}
