// Population Stability Index over fixed bins:
//   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
// with e_i the reference share and a_i the current share of bin i. A share of exactly 0
// would make the term infinite, so it is replaced by PSI_EMPTY_BIN_SHARE (1e-4, the value
// Evidently and most PSI write-ups use) before the sum; shares are not renormalised after.
import { StatisticInputError } from "./errors.ts";

export const PSI_EMPTY_BIN_SHARE = 1e-4;

function shares(counts: ArrayLike<number>, name: string): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (!(c >= 0)) throw new StatisticInputError("psi", `${name} count ${i} is ${c}`);
    total += c;
  }
  if (!(total > 0)) throw new StatisticInputError("psi", `${name} counts sum to 0`);
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = (counts[i] as number) / total;
  return out;
}

/** PSI between reference (expected) and current (actual) counts over the same bins. */
export function psi(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  emptyBinShare: number = PSI_EMPTY_BIN_SHARE,
): number {
  if (referenceCounts.length !== currentCounts.length || referenceCounts.length === 0) {
    throw new StatisticInputError("psi", `bin counts differ in length (${referenceCounts.length} vs ${currentCounts.length})`);
  }
  const e = shares(referenceCounts, "reference");
  const a = shares(currentCounts, "current");
  let value = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = (e[i] as number) === 0 ? emptyBinShare : (e[i] as number);
    const ai = (a[i] as number) === 0 ? emptyBinShare : (a[i] as number);
    value += (ai - ei) * Math.log(ai / ei);
  }
  return value;
}
