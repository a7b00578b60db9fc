// Joins predictions with the actuals that arrive later; online performance metrics.
export * from "./outcome-joiner.ts";
export * from "./online-metrics.ts";
