// Builds real ONNX tree ensembles (ai.onnx.ml TreeEnsembleRegressor) by hand in protobuf, so
// the compiled-tree evaluator can be checked against onnxruntime on shapes a trainer rarely
// emits (strict splits, base values, a one-leaf tree) and on graphs it must refuse, without
// Python.
import { bytes, float32, int, str, varint } from "./protobuf.ts";

// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20.
const attrInt = (name: string, v: number) => bytes(5, [...str(1, name), ...int(3, v), ...int(20, 2)]);
const attrString = (name: string, v: string) => bytes(5, [...str(1, name), ...str(4, v), ...int(20, 3)]);
const attrFloats = (name: string, vs: number[]) => bytes(5, [...str(1, name), ...bytes(7, vs.flatMap(float32)), ...int(20, 6)]);
// Unpacked on purpose for one attribute (both encodings are valid protobuf).
const attrInts = (name: string, vs: number[], packed = true) =>
  bytes(5, [...str(1, name), ...(packed ? bytes(8, vs.flatMap((v) => varint(v))) : vs.flatMap((v) => int(8, v))), ...int(20, 7)]);
const attrStrings = (name: string, vs: string[]) => bytes(5, [...str(1, name), ...vs.flatMap((v) => str(9, v)), ...int(20, 8)]);

export type Mode = "BRANCH_LEQ" | "BRANCH_LT" | "BRANCH_GTE" | "BRANCH_GT" | "BRANCH_EQ" | "BRANCH_NEQ";
export type TreeSpec = { leaf: number | number[] } | { feature: number; threshold: number; mode?: Mode; missingTrue?: boolean; yes: TreeSpec; no: TreeSpec };

export interface EnsembleSpec {
  nFeatures: number;
  trees: TreeSpec[];
  baseValues?: number[];
  postTransform?: string;
  aggregate?: string;
  nTargets?: number;
  /** Op after the ensemble (Identity is what exporters add); its output is the graph's. */
  after?: string;
  /** Leave nodes_missing_value_tracks_true out altogether. */
  noMissingTracks?: boolean;
}

interface FlatNode {
  tree: number;
  id: number;
  feature: number;
  value: number;
  mode: string;
  yes: number;
  no: number;
  missing: number;
}

/** ONNX bytes of one TreeEnsembleRegressor reading input[N, nFeatures], output variable[N, 1]. */
export function treeEnsembleOnnx(spec: EnsembleSpec): Buffer {
  const nodes: FlatNode[] = [];
  const targets: Array<{ tree: number; id: number; weight: number }> = [];
  spec.trees.forEach((root, tree) => {
    let next = 0;
    const visit = (t: TreeSpec): number => {
      const id = next++;
      if ("leaf" in t) {
        nodes.push({ tree, id, feature: 0, value: 0, mode: "LEAF", yes: 0, no: 0, missing: 0 });
        for (const w of Array.isArray(t.leaf) ? t.leaf : [t.leaf]) targets.push({ tree, id, weight: w });
        return id;
      }
      const node: FlatNode = { tree, id, feature: t.feature, value: t.threshold, mode: t.mode ?? "BRANCH_LEQ", yes: 0, no: 0, missing: t.missingTrue ? 1 : 0 };
      nodes.push(node);
      node.yes = visit(t.yes);
      node.no = visit(t.no);
      return id;
    };
    visit(root);
  });
  const attributes = [
    attrInt("n_targets", spec.nTargets ?? 1),
    attrInts("nodes_falsenodeids", nodes.map((n) => n.no)),
    attrInts("nodes_featureids", nodes.map((n) => n.feature)),
    attrFloats("nodes_hitrates", nodes.map(() => 1)),
    ...(spec.noMissingTracks ? [] : [attrInts("nodes_missing_value_tracks_true", nodes.map((n) => n.missing), false)]),
    attrStrings("nodes_modes", nodes.map((n) => n.mode)),
    attrInts("nodes_nodeids", nodes.map((n) => n.id)),
    attrInts("nodes_treeids", nodes.map((n) => n.tree)),
    attrInts("nodes_truenodeids", nodes.map((n) => n.yes)),
    attrFloats("nodes_values", nodes.map((n) => n.value)),
    attrString("post_transform", spec.postTransform ?? "NONE"),
    attrInts("target_ids", targets.map(() => 0)),
    attrInts("target_nodeids", targets.map((t) => t.id)),
    attrInts("target_treeids", targets.map((t) => t.tree)),
    attrFloats("target_weights", targets.map((t) => t.weight)),
    ...(spec.baseValues ? [attrFloats("base_values", spec.baseValues)] : []),
    ...(spec.aggregate ? [attrString("aggregate_function", spec.aggregate)] : []),
  ];
  const ensembleOut = spec.after ? "scores" : "variable";
  const ensemble = [...str(1, "input"), ...str(2, ensembleOut), ...str(3, "ensemble"), ...str(4, "TreeEnsembleRegressor"), ...attributes.flat(), ...str(7, "ai.onnx.ml")];
  const tensorType = (dims: Array<number | string>) =>
    bytes(1, [...int(1, 1), ...bytes(2, dims.flatMap((d) => bytes(1, typeof d === "number" ? int(1, d) : str(2, d))))]);
  const valueInfo = (name: string, dims: Array<number | string>) => [...str(1, name), ...bytes(2, tensorType(dims))];
  const graph = [
    ...bytes(1, ensemble),
    ...(spec.after ? bytes(1, [...str(1, "scores"), ...str(2, "variable"), ...str(3, "after"), ...str(4, spec.after)]) : []),
    ...str(2, "trees"),
    ...bytes(11, valueInfo("input", ["N", spec.nFeatures])),
    ...bytes(12, valueInfo("variable", ["N", 1])),
  ];
  const opset = (domain: string, version: number) => bytes(8, [...str(1, domain), ...int(2, version)]);
  return Buffer.from([...int(1, 8), ...str(2, "edgeflow-tests"), ...bytes(7, graph), ...opset("", 13), ...opset("ai.onnx.ml", 3)]);
}

/** A random tree over `nFeatures` with thresholds drawn from `thresholds` (so rows can sit exactly on them). */
export function randomTree(random: () => number, nFeatures: number, thresholds: number[], depth: number, modes: Mode[] = ["BRANCH_LEQ", "BRANCH_LT"]): TreeSpec {
  if (depth === 0 || random() < 0.15) return { leaf: Math.fround((random() - 0.5) * 100) };
  return {
    feature: Math.floor(random() * nFeatures),
    threshold: thresholds[Math.floor(random() * thresholds.length)]!,
    mode: modes[Math.floor(random() * modes.length)]!,
    missingTrue: random() < 0.5,
    yes: randomTree(random, nFeatures, thresholds, depth - 1, modes),
    no: randomTree(random, nFeatures, thresholds, depth - 1, modes),
  };
}
