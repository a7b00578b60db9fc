// Exact two-sided p-value of the two-sample Kolmogorov–Smirnov statistic, as scipy's
// `_attempt_exact_2kssamp` computes it: lattice-path counting after Hodges (1958), with
// Viehmann's (2021) recursion for 1 − p when n1 ≠ n2 and the alternating binomial series
// when n1 = n2. Both work on probabilities in [0, 1], so nothing overflows.

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Pr(D_{n,n} ≥ h/n): 2·Σ_k (−1)^{k+1} C(2n, n−kh)/C(2n, n), Horner-style (scipy's form). */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm(m,n),
 * i.e. Pr(D ≥ h/lcm) under H0. One sliding column of the path-count matrix is kept.
 */
export function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj && j < lenA; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(maxj - minj + (lastlen - curlen), lenA));
  }
  return A[maxj - minj - 1] as number;
}

export interface ExactKsOutcome {
  /** False when the computation left [0, 1] or went non-finite: scipy then falls back to asymp. */
  success: boolean;
  /** The statistic snapped to the lattice, h / lcm(n1, n2), as scipy returns it. */
  statistic: number;
  pValue: number;
}

/** scipy `_attempt_exact_2kssamp(n1, n2, g, d, 'two-sided')`. */
export function exactTwoSidedKs(n1: number, n2: number, d: number): ExactKsOutcome {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { success: true, statistic, pValue: 1 };
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!Number.isFinite(prob) || prob < 0 || prob > 1) return { success: false, statistic, pValue: prob };
  return { success: true, statistic, pValue: prob };
}
