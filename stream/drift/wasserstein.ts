// First Wasserstein (earth mover's) distance between two empirical distributions, as
// scipy.stats.wasserstein_distance(u, v): ∫ |U(x) − V(x)| dx over the merged sorted values,
// with U and V the right-continuous ECDFs.
import { StatisticInputError } from "./errors.ts";

export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  if (u.length === 0 || v.length === 0) throw new StatisticInputError("wasserstein", "distribution can't be empty");
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(a[0] as number, b[0] as number);
  // Between consecutive merged values both ECDFs are constant: add |U − V| × gap.
  while (i < na || j < nb) {
    const x = j >= nb || (i < na && (a[i] as number) <= (b[j] as number)) ? (a[i] as number) : (b[j] as number);
    distance += Math.abs(i / na - j / nb) * (x - previous);
    while (i < na && a[i] === x) i++;
    while (j < nb && b[j] === x) j++;
    previous = x;
  }
  return distance;
}
