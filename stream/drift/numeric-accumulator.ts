// Bounded-memory accumulator of one numeric feature's live values, shaped by the feature's
// reference profile so that the drift statistics computed from it lose as little as possible:
//
//  - the reference sample's k ≤ 2000 distinct values s_0 < … < s_{k−1} cut the line into
//    2k+1 slots: (−∞, s_0), {s_0}, (s_0, s_1), {s_1}, …, {s_{k−1}}, (s_{k−1}, ∞). Counting
//    values per slot gives the live ECDF exactly at every point where KS can be attained,
//    so the KS statistic against the reference sample is exact (not approximate);
//  - each open slot also keeps Σ|v − anchor| (anchor = s_0 for the left tail, s_j for the
//    slot after s_j), which makes ∫ F_live exact on every slot and so Wasserstein-1 exact
//    except on slots where the live ECDF crosses the reference ECDF (see numeric-drift.ts);
//  - the reference decile bins are counted directly, for PSI and Jensen–Shannon.
//
// State: (2k+1) Uint32 counts + (k+1) Float64 sums + one Float64 per decile bin, at most
// ~32 KiB for k = 2000, whatever the window length. The reference lookups (points, ECDF)
// are shared by all accumulators of a feature. Counts are Uint32: an accumulator refuses
// (throws) a 4 294 967 295th value rather than wrap.
import type { NumericProfile } from "./reference-profile.ts";
import { AccumulatorMismatchError, AccumulatorOverflowError } from "./errors.ts";

const MAX_COUNT = 0xffff_ffff;

/** Lookup tables derived once from a numeric profile; immutable and shared. */
export class NumericReference {
  readonly kind = "numeric" as const;
  /** Distinct reference sample values, ascending. */
  readonly points: Float64Array;
  /** cumulative[j] = number of sample values ≤ points[j]. */
  readonly cumulative: Uint16Array;
  readonly sampleSize: number;
  /** PSI / JS bin edges (the profile's decile edges). */
  readonly edges: Float64Array;
  readonly binCounts: Float64Array;
  readonly std: number;

  constructor(
    readonly feature: string,
    readonly profile: NumericProfile,
  ) {
    const sorted = Float64Array.from(profile.sample).sort();
    const points: number[] = [];
    const cumulative: number[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const v = sorted[i] as number;
      if (points.length > 0 && points[points.length - 1] === v) cumulative[cumulative.length - 1] = i + 1;
      else {
        points.push(v);
        cumulative.push(i + 1);
      }
    }
    this.points = Float64Array.from(points);
    this.cumulative = Uint16Array.from(cumulative);
    this.sampleSize = sorted.length;
    this.edges = Float64Array.from(profile.quantileEdges);
    this.binCounts = Float64Array.from(profile.binCounts);
    this.std = profile.std;
  }

  /** Slot of v: 0 = left tail, 2j+1 = exactly points[j], 2j+2 = between points[j] and the next. */
  slotOf(v: number): number {
    const p = this.points;
    let lo = 0;
    let hi = p.length; // find the number of points ≤ v
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((p[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    return p[lo - 1] === v ? 2 * lo - 1 : 2 * lo;
  }

  /** Decile bin of v; values below the first edge go to bin 0, above the last to the last bin. */
  binOf(v: number): number {
    const e = this.edges;
    let lo = 1;
    let hi = e.length - 1; // first interior edge index > v, bins are [e_i, e_{i+1})
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((e[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Bytes held by the shared lookup tables. */
  get stateBytes(): number {
    return this.points.byteLength + this.cumulative.byteLength + this.edges.byteLength + this.binCounts.byteLength;
  }
}

export class NumericAccumulator {
  readonly kind = "numeric" as const;
  /** Per-slot counts, see NumericReference.slotOf. */
  readonly slotCounts: Uint32Array;
  /** Σ(points[0] − v) over the left tail at [0]; Σ(v − points[j]) over the slot after points[j] at [j+1]. */
  readonly slotOffsets: Float64Array;
  readonly binCounts: Float64Array;
  count = 0;
  missing = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly reference: NumericReference) {
    const k = reference.points.length;
    this.slotCounts = new Uint32Array(2 * k + 1);
    this.slotOffsets = new Float64Array(k + 1);
    this.binCounts = new Float64Array(reference.binCounts.length);
  }

  /** Adds one value; null, undefined and non-finite values count as missing. */
  add(value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) {
      this.missing += 1;
      return;
    }
    if (this.count >= MAX_COUNT) {
      throw new AccumulatorOverflowError(this.reference.feature, MAX_COUNT);
    }
    const ref = this.reference;
    const slot = ref.slotOf(value);
    this.slotCounts[slot] = (this.slotCounts[slot] as number) + 1;
    if (slot === 0) {
      this.slotOffsets[0] = (this.slotOffsets[0] as number) + ((ref.points[0] as number) - value);
    } else if (slot % 2 === 0) {
      const j = slot / 2 - 1;
      this.slotOffsets[j + 1] = (this.slotOffsets[j + 1] as number) + (value - (ref.points[j] as number));
    }
    const bin = ref.binOf(value);
    this.binCounts[bin] = (this.binCounts[bin] as number) + 1;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds `other`'s values into this one (panes → window); both must share the reference. */
  merge(other: NumericAccumulator): void {
    if (other.reference !== this.reference) {
      throw new AccumulatorMismatchError(this.reference.feature, "cannot merge accumulators of different references");
    }
    if (this.count + other.count > MAX_COUNT) {
      throw new AccumulatorOverflowError(this.reference.feature, MAX_COUNT);
    }
    for (let i = 0; i < this.slotCounts.length; i++) {
      this.slotCounts[i] = (this.slotCounts[i] as number) + (other.slotCounts[i] as number);
    }
    for (let i = 0; i < this.slotOffsets.length; i++) {
      this.slotOffsets[i] = (this.slotOffsets[i] as number) + (other.slotOffsets[i] as number);
    }
    for (let i = 0; i < this.binCounts.length; i++) {
      this.binCounts[i] = (this.binCounts[i] as number) + (other.binCounts[i] as number);
    }
    this.count += other.count;
    this.missing += other.missing;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /** Bytes of per-accumulator state (the shared reference tables are not included). */
  get stateBytes(): number {
    return this.slotCounts.byteLength + this.slotOffsets.byteLength + this.binCounts.byteLength + 5 * 8;
  }
}
