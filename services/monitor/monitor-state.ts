// The monitor's per-model state in the processor's state store, and a batch-scoped cache of
// decoded panes. Keys (one model owns all of them, on one partition):
//
//   m/<model>                      MonitorMeta: clocks, hysteresis, the version panes are for
//   f/<model>/<pane>/<feature>     one feature's accumulator for a pane (EncodedAccumulator)
//   p/<model>/<pane>               the prediction accumulator for a pane
//   o/<model>/<pane>               { <version>: PerformanceState } for a pane
//
// One key per feature keeps every changelog record small (≤ ~45 KB) whatever the number of
// features. Values read from the store are never mutated: the runtime's store discards a
// failed batch's writes, and an in-place change would survive that.
import type { StateStore } from "../../stream/runtime/index.ts";
import { createFeatureAccumulator, type FeatureAccumulator, type FeatureReference } from "../../stream/drift/index.ts";
import { decodeAccumulator, encodeAccumulator, type EncodedAccumulator } from "./accumulator-codec.ts";
import { INITIAL_HYSTERESIS, type HysteresisState } from "./hysteresis.ts";
import type { PerformanceState } from "./performance.ts";
import { newWindowClock, type WindowClockState } from "./window-clock.ts";

export type MonitorStateValue = MonitorMeta | EncodedAccumulator | Record<string, PerformanceState>;

export interface MonitorMeta {
  /** Version of the reference the feature and prediction panes were built on. */
  version: string | null;
  /** Features those panes hold (to delete them when the version changes). */
  features: string[];
  /** Feature watermark when panes were last discarded; windows starting before it are partial. */
  resetAt: number | null;
  clocks: { features: WindowClockState; prediction: WindowClockState; outcome: WindowClockState };
  /** Rows per features pane (the pane's per-feature accumulators count values, not rows). */
  paneRows: Record<string, number>;
  drift: HysteresisState;
  degradation: HysteresisState;
  /** Champion version the degradation hysteresis is counting for. */
  degradationVersion: string | null;
}

export function newMeta(): MonitorMeta {
  return {
    version: null,
    features: [],
    resetAt: null,
    clocks: { features: newWindowClock(), prediction: newWindowClock(), outcome: newWindowClock() },
    paneRows: {},
    drift: { ...INITIAL_HYSTERESIS },
    degradation: { ...INITIAL_HYSTERESIS },
    degradationVersion: null,
  };
}

export const metaKey = (model: string) => `m/${model}`;
export const featurePaneKey = (model: string, pane: number, feature: string) => `f/${model}/${pane}/${feature}`;
export const predictionPaneKey = (model: string, pane: number) => `p/${model}/${pane}`;
export const outcomePaneKey = (model: string, pane: number) => `o/${model}/${pane}`;

type Entry = { kind: "accumulator"; value: FeatureAccumulator } | { kind: "performance"; value: Record<string, PerformanceState> } | { kind: "deleted" };

/** Decoded panes touched by one batch; `flush` writes the changed ones back. */
export class PaneCache {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<string>();

  constructor(private readonly store: StateStore<MonitorStateValue>) {}

  /** The pane's accumulator (decoded, or new and empty); `create` marks it to be written. */
  accumulator(key: string, reference: FeatureReference, create: boolean): FeatureAccumulator | undefined {
    const cached = this.entries.get(key);
    if (cached?.kind === "accumulator") {
      if (create) this.dirty.add(key);
      return cached.value;
    }
    const stored = cached?.kind === "deleted" ? undefined : (this.store.get(key) as EncodedAccumulator | undefined);
    if (!stored && !create) return undefined;
    const value = stored ? decodeAccumulator(reference, stored) : createFeatureAccumulator(reference);
    this.entries.set(key, { kind: "accumulator", value });
    if (create) this.dirty.add(key);
    return value;
  }

  performance(key: string, create: boolean): Record<string, PerformanceState> | undefined {
    const cached = this.entries.get(key);
    if (cached?.kind === "performance") {
      if (create) this.dirty.add(key);
      return cached.value;
    }
    const stored = cached?.kind === "deleted" ? undefined : (this.store.get(key) as Record<string, PerformanceState> | undefined);
    if (!stored && !create) return undefined;
    const value = stored ? structuredClone(stored) : {};
    this.entries.set(key, { kind: "performance", value });
    if (create) this.dirty.add(key);
    return value;
  }

  delete(key: string): void {
    this.entries.set(key, { kind: "deleted" });
    this.dirty.add(key);
  }

  flush(): void {
    for (const key of this.dirty) {
      const e = this.entries.get(key)!;
      if (e.kind === "deleted") this.store.delete(key);
      else if (e.kind === "accumulator") this.store.put(key, encodeAccumulator(e.value));
      else this.store.put(key, e.value);
    }
    this.dirty.clear();
  }
}
