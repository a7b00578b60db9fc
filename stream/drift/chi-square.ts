// Pearson's χ² goodness-of-fit test, as scipy.stats.chisquare(f_obs, f_exp): statistic
// Σ (o − e)² / e and p-value chi2.sf(statistic, k − 1). Like scipy, the observed and
// expected totals must agree to a relative 1.49e-8 (√eps); `expectedFromShares` scales
// reference shares to the observed total so they do.
import { StatisticInputError } from "./errors.ts";
import { chiSquareSurvival } from "./gamma-functions.ts";

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

const SUM_RTOL = Math.sqrt(2.220446049250313e-16);

export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  const k = observed.length;
  if (k !== expected.length || k === 0) {
    throw new StatisticInputError("chisquare", `observed and expected differ in length (${k} vs ${expected.length})`);
  }
  let sumObs = 0;
  let sumExp = 0;
  for (let i = 0; i < k; i++) {
    sumObs += observed[i] as number;
    sumExp += expected[i] as number;
  }
  const relativeDiff = Math.abs(sumObs - sumExp) / Math.min(sumObs, sumExp);
  if (relativeDiff > SUM_RTOL) {
    throw new StatisticInputError("chisquare", `observed total ${sumObs} and expected total ${sumExp} differ`);
  }
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const o = observed[i] as number;
    const e = expected[i] as number;
    statistic += ((o - e) * (o - e)) / e;
  }
  const degreesOfFreedom = k - 1;
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** Expected counts: `shares` normalised to 1 and scaled to `total`. */
export function expectedFromShares(shares: ArrayLike<number>, total: number): Float64Array {
  let sum = 0;
  for (let i = 0; i < shares.length; i++) sum += shares[i] as number;
  if (!(sum > 0)) throw new StatisticInputError("chisquare", "expected shares sum to 0");
  const out = new Float64Array(shares.length);
  for (let i = 0; i < shares.length; i++) out[i] = ((shares[i] as number) / sum) * total;
  return out;
}
