// Drift statistics of a numeric accumulator against its reference: KS (exact, see
// numeric-accumulator.ts), Wasserstein-1 with a rigorous error bound, PSI and
// Jensen–Shannon over the reference decile bins.
import { jensenShannonDistance } from "./jensen-shannon.ts";
import { ksStatisticFromExtremes, ksTwoSamplePValue, type KsResult } from "./ks.ts";
import type { NumericAccumulator } from "./numeric-accumulator.ts";
import { psi } from "./psi.ts";

/** ks_2samp(reference.sample, live values) computed from the accumulator's slot counts. */
export function numericKs(acc: NumericAccumulator): KsResult {
  const ref = acc.reference;
  const n1 = ref.sampleSize;
  const n2 = acc.count;
  const counts = acc.slotCounts;
  const k = ref.points.length;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  const visit = (diff: number): void => {
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  };
  // Between reference points F_ref is flat and F_live only rises, so the extremes of
  // F_ref − F_live are reached at a reference point or at the last live value of a slot.
  let live = counts[0] as number;
  if (live > 0) visit(0 / n1 - live / n2);
  for (let j = 0; j < k; j++) {
    const refCdf = (ref.cumulative[j] as number) / n1;
    live += counts[2 * j + 1] as number;
    visit(refCdf - live / n2);
    const between = counts[2 * j + 2] as number;
    if (between > 0) {
      live += between;
      visit(refCdf - live / n2);
    }
  }
  return ksTwoSamplePValue(ksStatisticFromExtremes(maxDiff, minDiff), n1, n2);
}

export interface WassersteinEstimate {
  /** Estimate of wasserstein_distance(reference.sample, live values). */
  distance: number;
  /** |estimate − exact| ≤ errorBound, computed from the same state. */
  errorBound: number;
}

/**
 * W1 = ∫ |F_ref − F_live| dx, slot by slot. On a slot where F_live stays on one side of the
 * (constant) F_ref, the integral is exact from the slot's count and Σ offset. Where F_live
 * crosses F_ref inside the slot, the values are taken to sit at their mean (exact when they
 * are all equal, e.g. integer data); the true value lies in [|signed integral|,
 * width × max(F_ref − F_a, F_b − F_ref)] and the bound reports that interval's width.
 */
export function numericWasserstein(acc: NumericAccumulator): WassersteinEstimate {
  const ref = acc.reference;
  const n1 = ref.sampleSize;
  const n2 = acc.count;
  const counts = acc.slotCounts;
  const offsets = acc.slotOffsets;
  const points = ref.points;
  const k = points.length;
  let distance = (offsets[0] as number) / n2; // left tail: F_ref = 0
  let errorBound = 0;
  let live = counts[0] as number;
  for (let j = 0; j < k - 1; j++) {
    live += counts[2 * j + 1] as number;
    const c = (ref.cumulative[j] as number) / n1;
    const width = (points[j + 1] as number) - (points[j] as number);
    const m = counts[2 * j + 2] as number;
    const fa = live / n2;
    const fb = (live + m) / n2;
    const offset = offsets[j + 1] as number;
    // ∫ F_live over the slot = F_a·w + Σ(s_{j+1} − v)/n2
    const integralLive = fa * width + (m * width - offset) / n2;
    if (c <= fa) distance += Math.max(0, integralLive - c * width);
    else if (c >= fb) distance += Math.max(0, c * width - integralLive);
    else {
      const meanOffset = offset / m;
      const estimate = (c - fa) * meanOffset + (fb - c) * (width - meanOffset);
      const lower = Math.abs(c * width - integralLive);
      const upper = width * Math.max(c - fa, fb - c);
      distance += estimate;
      errorBound += Math.max(0, upper - lower);
    }
    live += m;
  }
  distance += (offsets[k] as number) / n2; // right tail: F_ref = 1
  return { distance, errorBound };
}

/** PSI of the live decile-bin shares against the reference's. */
export function numericPsi(acc: NumericAccumulator): number {
  return psi(acc.reference.binCounts, acc.binCounts);
}

/** Jensen–Shannon distance between live and reference decile-bin shares. */
export function numericJensenShannon(acc: NumericAccumulator): number {
  return jensenShannonDistance(acc.binCounts, acc.reference.binCounts);
}
