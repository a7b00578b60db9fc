// Seeded sample generators for the scipy parity test: deterministic, so a failure reproduces.

export type Random = () => number;

/** mulberry32: small, fast, good enough for test data. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(rand: Random, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(mean + sd * r * Math.cos(2 * Math.PI * v));
    if (out.length < n) out.push(mean + sd * r * Math.sin(2 * Math.PI * v));
  }
  return out;
}

/** Student-t with 1 degree of freedom (Cauchy): very heavy tails. */
export function cauchy(rand: Random, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => scale * Math.tan(Math.PI * (rand() - 0.5)));
}

/** Poisson by inversion (fine for the small-to-moderate means used here): integer ties. */
export function poisson(rand: Random, n: number, lambda: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Normal approximation above 60 keeps inversion numerically safe.
    if (lambda > 60) {
      out.push(Math.max(0, Math.round(normal(rand, 1, lambda, Math.sqrt(lambda))[0] as number)));
      continue;
    }
    let k = 0;
    let p = Math.exp(-lambda);
    let cdf = p;
    const u = rand();
    while (u > cdf) {
      k += 1;
      p *= lambda / k;
      cdf += p;
    }
    out.push(k);
  }
  return out;
}

/** Hourly-bike-count-like values: mixture of quiet and busy hours, integer, many zeros. */
export function bikeCounts(rand: Random, n: number, busyShare = 0.4, busyMean = 180): number[] {
  return Array.from({ length: n }, () => {
    const busy = rand() < busyShare;
    const base = busy ? busyMean : 12;
    const lognormal = Math.exp(normal(rand, 1, 0, 0.6)[0] as number);
    return rand() < 0.08 ? 0 : Math.round(base * lognormal);
  });
}

export function choice<T>(rand: Random, items: readonly T[], weights: readonly number[], n: number): T[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rand() * total;
    for (let i = 0; i < items.length; i++) {
      u -= weights[i] as number;
      if (u < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  });
}

/** Decile edges (deduplicated) and bin counts of `values`, as the trainer's profile has them. */
export function decileProfile(values: readonly number[]): { edges: number[]; binCounts: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
  };
  const edges: number[] = [];
  for (let i = 0; i <= 10; i++) {
    const e = q(i / 10);
    if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  const binCounts = new Array<number>(edges.length - 1).fill(0);
  for (const v of sorted) {
    let b = 0;
    while (b < edges.length - 2 && v >= (edges[b + 1] as number)) b++;
    binCounts[b] = (binCounts[b] as number) + 1;
  }
  return { edges, binCounts };
}
