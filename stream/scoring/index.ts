// ONNX model runtime, micro-batching, hot swap and the scoring processor.
export * from "./errors.ts";
export * from "./onnx-model.ts";
export { compileTreeEnsemble, probeRows, type TreeEnsemble, type TreeEnsembleResult } from "./tree-ensemble.ts";
export * from "./model-holder.ts";
export * from "./scoring-processor.ts";
