// Bike counter state for the API, on the same pure `stepBikeFeatures` as the stream
// processor: (1) features from a history sent with the request; (2) the latest state of each
// counter the API has been told about (POST /v1/events), so a client may ask for a forecast
// with just {counterId, timestamp}. The store is bounded: past `maxCounters` the least
// recently updated counter is forgotten.
import { HISTORY_HOURS, HOUR_MS, stepBikeFeatures, type BikeCounterState, type BikeFeatureRow } from "../../stream/features/index.ts";

export interface CountEvent {
  counterId: string;
  /** Epoch ms (any time inside the hour). */
  timestamp: number;
  count: number;
}

export type ApplyOutcome = "features" | "duplicate" | "late";

export interface CounterStateStore {
  apply(event: CountEvent): ApplyOutcome;
  get(counterId: string): BikeCounterState | undefined;
  /** `featuresAtLatest` of the held state, computed once per state (an event invalidates it). */
  features(counterId: string): BikeFeatureRow | undefined;
  readonly size: number;
}

/** The stream's event type has site and coordinates; the features read only id, time and count. */
export function asBikeEvent(e: CountEvent) {
  return { counterId: e.counterId, siteId: e.counterId, timestamp: e.timestamp, count: e.count, latitude: 0, longitude: 0 };
}

/**
 * Features for the hour after `state.latestHour`, from the state as it is now (late events
 * that filled gaps included): the newest count is taken out and stepped in again.
 */
export function featuresAtLatest(counterId: string, state: BikeCounterState): BikeFeatureRow {
  const latest = state.latestHour;
  const slot = ((latest % HISTORY_HOURS) + HISTORY_HOURS) % HISTORY_HOURS;
  const counts = state.counts.slice();
  const count = counts[slot]!;
  counts[slot] = -1;
  const step = stepBikeFeatures({ latestHour: latest - 1, counts }, asBikeEvent({ counterId, timestamp: latest * HOUR_MS, count }));
  if (step.kind !== "features") throw new Error(`unreachable: stepping hour ${latest} after ${latest - 1} gave ${step.kind}`);
  return step.row;
}

export type HistoryFeatures = { ok: true; row: BikeFeatureRow } | { ok: false; reason: string };

/**
 * Runs `stepBikeFeatures` over a history (any order; duplicates ignored like the stream
 * does) whose newest entry must be hour t; the row is the forecast for t + 1.
 */
export function featuresFromHistory(counterId: string, t: number, history: ReadonlyArray<{ timestamp: number; count: number }>): HistoryFeatures {
  const hour = Math.floor(t / HOUR_MS);
  const sorted = [...history].sort((a, b) => a.timestamp - b.timestamp);
  const newest = Math.floor(sorted.at(-1)!.timestamp / HOUR_MS);
  if (newest !== hour) {
    return { ok: false, reason: `the newest history entry is ${new Date(newest * HOUR_MS).toISOString()}, it must be the hour of timestamp (${new Date(hour * HOUR_MS).toISOString()})` };
  }
  let state: BikeCounterState | undefined;
  for (const entry of sorted) state = stepBikeFeatures(state, asBikeEvent({ counterId, timestamp: entry.timestamp, count: entry.count })).state;
  return { ok: true, row: featuresAtLatest(counterId, state!) };
}

export function createCounterStateStore(maxCounters = 10_000): CounterStateStore {
  const held = new Map<string, BikeCounterState>();
  // Forecast requests for a counter repeat between its hourly events: compute its row once.
  const rows = new Map<string, BikeFeatureRow>();
  return {
    get size() {
      return held.size;
    },
    get: (id) => held.get(id),
    features(id) {
      let row = rows.get(id);
      if (!row) {
        const state = held.get(id);
        if (!state) return undefined;
        row = featuresAtLatest(id, state);
        rows.set(id, row);
      }
      return row;
    },
    apply(event) {
      const step = stepBikeFeatures(held.get(event.counterId), asBikeEvent(event));
      if (step.kind === "duplicate") return "duplicate";
      // Re-insert so Map order is least recently updated first.
      held.delete(event.counterId);
      held.set(event.counterId, step.state);
      rows.delete(event.counterId);
      if (held.size > maxCounters) {
        const oldest = held.keys().next().value!;
        held.delete(oldest);
        rows.delete(oldest);
      }
      return step.kind;
    },
  };
}
