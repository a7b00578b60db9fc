// RMSE, MAE and R² (= 1 − SSE / SST, SST by Welford) over (prediction, actual) pairs, as a
// plain JSON state that panes and windows merge (Chan's parallel update of the mean and M2),
// and as the running RegressionMetrics of the outcomes joiner and `npm start`. O(1) memory.
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

/** The running form of the same state, for one stream of outcomes. */
export class RegressionMetrics {
  private readonly state = newPerformance();

  get n(): number {
    return this.state.n;
  }

  add(prediction: number, actual: number): void {
    addOutcome(this.state, prediction, actual);
  }

  get rmse(): number {
    return performanceMetrics(this.state).rmse;
  }

  get mae(): number {
    return performanceMetrics(this.state).mae;
  }

  get r2(): number {
    return performanceMetrics(this.state).r2;
  }

  snapshot(): PerformanceMetrics {
    return performanceMetrics(this.state);
  }
}
