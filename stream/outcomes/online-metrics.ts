// Running regression metrics over (prediction, actual) pairs in O(1) memory: RMSE, MAE and
// R² = 1 − SSE / SST with SST from running sums of the actuals (Welford, for stability).
export class RegressionMetrics {
  n = 0;
  private sse = 0;
  private sae = 0;
  private mean = 0;
  private m2 = 0;

  add(prediction: number, actual: number): void {
    const e = prediction - actual;
    this.n += 1;
    this.sse += e * e;
    this.sae += Math.abs(e);
    const d = actual - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (actual - this.mean);
  }

  get rmse(): number {
    return this.n === 0 ? Number.NaN : Math.sqrt(this.sse / this.n);
  }

  get mae(): number {
    return this.n === 0 ? Number.NaN : this.sae / this.n;
  }

  get r2(): number {
    return this.n < 2 || this.m2 === 0 ? Number.NaN : 1 - this.sse / this.m2;
  }

  snapshot(): { n: number; rmse: number; mae: number; r2: number } {
    return { n: this.n, rmse: this.rmse, mae: this.mae, r2: this.r2 };
  }
}
