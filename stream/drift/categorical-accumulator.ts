// Accumulator of one categorical feature's live values and its drift statistics (χ²,
// Jensen–Shannon, PSI) against the reference frequencies.
//
// Unseen categories: every category absent from the reference (or present with frequency
// 0) goes to one "other" bucket. The reference gives "other" a pseudo-count of
// OTHER_PSEUDO_COUNT = 0.5 against its n real values, so its expected share is
// 0.5 / (n + 0.5) and every real category's share is scaled by n / (n + 0.5). The bucket
// is always part of the test (degrees of freedom = categories), so a window with no unseen
// value contributes only ~0.5/n to χ², and a burst of unseen values drives χ² up sharply.
//
// State: one Float64 count per reference category + 1, and at most UNSEEN_EXAMPLES_MAX
// names of unseen categories kept as examples for the report.
import { chiSquare, expectedFromShares, type ChiSquareResult } from "./chi-square.ts";
import { AccumulatorMismatchError } from "./errors.ts";
import { jensenShannonDistance } from "./jensen-shannon.ts";
import { psi } from "./psi.ts";
import type { CategoricalProfile } from "./reference-profile.ts";

export const OTHER_PSEUDO_COUNT = 0.5;
export const UNSEEN_EXAMPLES_MAX = 16;

export class CategoricalReference {
  readonly kind = "categorical" as const;
  /** Reference categories with a positive frequency, sorted; "other" is index categories.length. */
  readonly categories: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Expected shares, categories then "other"; sums to 1. */
  readonly expectedShares: Float64Array;

  constructor(
    readonly feature: string,
    readonly profile: CategoricalProfile,
  ) {
    const entries = Object.entries(profile.frequencies)
      .filter(([, f]) => f > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.categories = entries.map(([c]) => c);
    this.index = new Map(this.categories.map((c, i) => [c, i]));
    const total = entries.reduce((s, [, f]) => s + f, 0);
    const n = profile.n;
    this.expectedShares = new Float64Array(entries.length + 1);
    entries.forEach(([, f], i) => {
      this.expectedShares[i] = ((f / total) * n) / (n + OTHER_PSEUDO_COUNT);
    });
    this.expectedShares[entries.length] = OTHER_PSEUDO_COUNT / (n + OTHER_PSEUDO_COUNT);
  }
}

export class CategoricalAccumulator {
  readonly kind = "categorical" as const;
  /** counts[i] for reference category i; the last entry is "other". */
  readonly counts: Float64Array;
  readonly unseenExamples = new Set<string>();
  count = 0;
  missing = 0;

  constructor(readonly reference: CategoricalReference) {
    this.counts = new Float64Array(reference.categories.length + 1);
  }

  /** Adds one value; null and undefined count as missing. Numbers are keyed by String(v). */
  add(value: string | number | boolean | null | undefined): void {
    if (value === null || value === undefined) {
      this.missing += 1;
      return;
    }
    const key = typeof value === "string" ? value : String(value);
    const i = this.reference.index.get(key);
    if (i === undefined) {
      this.counts[this.counts.length - 1] = (this.counts[this.counts.length - 1] as number) + 1;
      if (this.unseenExamples.size < UNSEEN_EXAMPLES_MAX) this.unseenExamples.add(key);
    } else {
      this.counts[i] = (this.counts[i] as number) + 1;
    }
    this.count += 1;
  }

  merge(other: CategoricalAccumulator): void {
    if (other.reference !== this.reference) {
      throw new AccumulatorMismatchError(this.reference.feature, "cannot merge accumulators of different references");
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    for (const name of other.unseenExamples) {
      if (this.unseenExamples.size >= UNSEEN_EXAMPLES_MAX) break;
      this.unseenExamples.add(name);
    }
    this.count += other.count;
    this.missing += other.missing;
  }

  /** Live values in categories the reference never saw. */
  get unseen(): number {
    return this.counts[this.counts.length - 1] as number;
  }

  get stateBytes(): number {
    let names = 0;
    for (const n of this.unseenExamples) names += 2 * n.length;
    return this.counts.byteLength + 2 * 8 + names;
  }
}

/** chisquare(live counts, reference shares scaled to the live total). */
export function categoricalChiSquare(acc: CategoricalAccumulator): ChiSquareResult {
  return chiSquare(acc.counts, expectedFromShares(acc.reference.expectedShares, acc.count));
}

export function categoricalJensenShannon(acc: CategoricalAccumulator): number {
  return jensenShannonDistance(acc.counts, acc.reference.expectedShares);
}

export function categoricalPsi(acc: CategoricalAccumulator): number {
  return psi(acc.reference.expectedShares, acc.counts);
}
