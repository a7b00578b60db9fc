// Windowed accuracy of a regression model from its outcomes: RMSE, MAE and R², with the same
// definitions as stream/outcomes' RegressionMetrics (R² = 1 − SSE / SST, SST by Welford), but
// as plain JSON and mergeable (panes → windows) with Chan's parallel update of the mean and M2.
export interface PerformanceState {
  n: number;
  sse: number;
  sae: number;
  /** Mean of the actuals and Σ(actual − mean)², Welford. */
  mean: number;
  m2: number;
}

export interface PerformanceMetrics {
  n: number;
  rmse: number;
  mae: number;
  /** NaN with fewer than two outcomes or constant actuals. */
  r2: number;
}

export function newPerformance(): PerformanceState {
  return { n: 0, sse: 0, sae: 0, mean: 0, m2: 0 };
}

/** Adds one (prediction, actual) pair; mutates and returns `s`. */
export function addOutcome(s: PerformanceState, prediction: number, actual: number): PerformanceState {
  const e = prediction - actual;
  s.n += 1;
  s.sse += e * e;
  s.sae += Math.abs(e);
  const d = actual - s.mean;
  s.mean += d / s.n;
  s.m2 += d * (actual - s.mean);
  return s;
}

/** Adds `b` into `a` (mutates and returns `a`). */
export function mergePerformance(a: PerformanceState, b: PerformanceState): PerformanceState {
  if (b.n === 0) return a;
  if (a.n === 0) return Object.assign(a, b);
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  a.m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  a.mean = a.mean + (delta * b.n) / n;
  a.sse += b.sse;
  a.sae += b.sae;
  a.n = n;
  return a;
}

export function performanceMetrics(s: PerformanceState): PerformanceMetrics {
  return {
    n: s.n,
    rmse: s.n === 0 ? Number.NaN : Math.sqrt(s.sse / s.n),
    mae: s.n === 0 ? Number.NaN : s.sae / s.n,
    r2: s.n < 2 || s.m2 === 0 ? Number.NaN : 1 - s.sse / s.m2,
  };
}

export interface PerformanceBounds {
  /** Degraded when RMSE > maxRmse. */
  maxRmse: number;
  /** Degraded when R² < minR2. */
  minR2: number;
  /** Windows with fewer outcomes are reported but not judged. */
  minOutcomes: number;
}

export type PerformanceVerdict = { judged: false; reason: string } | { judged: true; degraded: boolean; reasons: string[] };

/** Whether a window's metrics break the bounds (bike defaults: RMSE > 60 or R² < 0.65). */
export function judgePerformance(m: PerformanceMetrics, bounds: PerformanceBounds): PerformanceVerdict {
  if (m.n < bounds.minOutcomes) return { judged: false, reason: `${m.n} outcomes < ${bounds.minOutcomes}` };
  const reasons: string[] = [];
  if (m.rmse > bounds.maxRmse) reasons.push(`rmse ${m.rmse.toFixed(2)} > ${bounds.maxRmse}`);
  if (Number.isFinite(m.r2) && m.r2 < bounds.minR2) reasons.push(`r2 ${m.r2.toFixed(3)} < ${bounds.minR2}`);
  return { judged: true, degraded: reasons.length > 0, reasons };
}
