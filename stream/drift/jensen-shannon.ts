// Jensen–Shannon distance, natural log, as scipy.spatial.distance.jensenshannon(p, q):
// both vectors are normalised to sum 1, m = (p + q)/2, and the distance is
// sqrt((KL(p‖m) + KL(q‖m)) / 2). It is bounded by sqrt(ln 2) ≈ 0.8326 and needs no epsilon:
// a zero in p or q contributes 0 (rel_entr(0, y) = 0).
import { StatisticInputError } from "./errors.ts";

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length || p.length === 0) {
    throw new StatisticInputError("jensenshannon", `vectors differ in length (${p.length} vs ${q.length})`);
  }
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i] as number;
    sq += q[i] as number;
  }
  if (!(sp > 0 && sq > 0)) throw new StatisticInputError("jensenshannon", "a vector sums to 0");
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  return Math.sqrt((left + right) / 2);
}
