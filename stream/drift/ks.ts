// Two-sample Kolmogorov–Smirnov test, two-sided, matching scipy.stats.ks_2samp(a, b) with
// its default method='auto': exact lattice-path p-value when max(n1, n2) ≤ 10 000, else
// (or when the exact computation fails) kstwo.sf(D, round(n1·n2/(n1+n2))).
// Only the two-sided alternative is provided: it is the one drift monitoring asks.
import { StatisticInputError } from "./errors.ts";
import { exactTwoSidedKs } from "./ks-exact.ts";
import { kolmogorovSmirnovSurvival } from "./kolmogorov-distribution.ts";

/** scipy's MAX_AUTO_N: above it 'auto' goes straight to the asymptotic distribution. */
export const KS_MAX_EXACT_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymp";
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * p-value for an observed two-sided statistic D between samples of sizes n1 and n2.
 * D must be one of the values the ECDF difference can take (i/n1 − j/n2), as ks_2samp's is.
 */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): KsResult {
  if (!(n1 >= 1 && n2 >= 1)) throw new StatisticInputError("ks", `sample sizes must be ≥ 1 (got ${n1}, ${n2})`);
  let statistic = d;
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactTwoSidedKs(n1, n2, d);
    statistic = exact.statistic;
    if (exact.success) return { statistic, pValue: clamp01(exact.pValue), method: "exact" };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const pValue = kolmogorovSmirnovSurvival(roundHalfEven(en), statistic);
  return { statistic, pValue: clamp01(pValue), method: "asymp" };
}

/**
 * The signed extremes of F_a − F_b over all data points, combined as scipy does: the larger
 * of max(F_a − F_b) and max(F_b − F_a) (the latter clipped at 0); ties go to the former.
 */
export function ksStatisticFromExtremes(maxDiff: number, minDiff: number): number {
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return minS > maxDiff ? minS : maxDiff;
}

function sortedSample(values: ArrayLike<number>, name: string): Float64Array {
  const sorted = Float64Array.from(values);
  for (const v of sorted) {
    if (Number.isNaN(v)) throw new StatisticInputError("ks", `sample ${name} contains NaN`);
  }
  if (sorted.length === 0) throw new StatisticInputError("ks", `sample ${name} is empty`);
  return sorted.sort();
}

/** scipy.stats.ks_2samp(a, b) (two-sided, method='auto'). */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = sortedSample(a, "a");
  const y = sortedSample(b, "b");
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  // Walk the merged distinct values; at each, both ECDFs are right-continuous counts / n.
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && (x[i] as number) <= (y[j] as number)) ? (x[i] as number) : (y[j] as number);
    while (i < n1 && x[i] === v) i++;
    while (j < n2 && y[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  return ksTwoSamplePValue(ksStatisticFromExtremes(maxDiff, minDiff), n1, n2);
}

function clamp01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
