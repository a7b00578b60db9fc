// Next-hour forecast features for one bike counter: pure functions of the event and the
// counter's recent history. The stream processor, the HTTP API, the edge agent and the
// training snapshot writer all call `stepBikeFeatures`, so training and serving cannot skew.
//
// An event for hour t yields the features of target hour h = t + 1: the calendar of h in
// Paris local time, lags relative to h (lag_1h is the count at t), and rolling means of
// the counts that precede h.
//
// History handling, deliberately:
// - duplicate (an hour already held): ignored, the first count wins, nothing is emitted;
// - late (older than the newest hour held): stored if its slot is empty, so later lags
//   use it, but not scored — a forecast for an hour already past is of no use;
// - gap (hours never seen): held as missing; a lag that falls on a missing hour makes the
//   row incomplete (not scorable), rolling means use the hours present (at least half);
// - new counter: starts cold, its rows stay incomplete until a week of history exists.
import { defineFeatureSpec, bikeEventId, type BikeCountEvent, type FeatureSpec } from "../../schemas/index.ts";
import { isFrenchHoliday } from "./french-holidays.ts";
import { parisCalendar } from "./paris-time.ts";

export const HOUR_MS = 3_600_000;
/** Hours of history held per counter: enough for the mean of the day a week before h. */
export const HISTORY_HOURS = 192;
const MISSING = -1;

export const BIKE_FEATURE_SPEC: FeatureSpec = defineFeatureSpec({
  name: "bike-next-hour",
  version: 2,
  features: [
    "hour",
    "weekday",
    "month",
    "is_holiday",
    "is_weekend",
    "lag_1h",
    "lag_2h",
    "lag_3h",
    "lag_24h",
    "lag_48h",
    "lag_168h",
    "lag_169h",
    "roll_mean_24h",
    "roll_mean_168h",
    "roll_mean_24h_last_week",
    "seasonal_hour",
    "seasonal_week",
    "delta_1h",
    "delta_week",
  ].map((name) => ({ name, type: "numeric" as const })),
});

export const BIKE_FEATURE_NAMES: readonly string[] = BIKE_FEATURE_SPEC.features.map((f) => f.name);

/** Per-counter state; plain JSON so any state store can persist it. */
export interface BikeCounterState {
  /** Hour index (epoch ms / 1 h) of the newest count held. */
  latestHour: number;
  /** counts[hour % HISTORY_HOURS] for the HISTORY_HOURS hours up to latestHour; -1 = missing. */
  counts: number[];
}

export interface BikeFeatureRow {
  eventId: string;
  counterId: string;
  /** Hour of the event (t), epoch ms. */
  eventTime: number;
  /** Hour forecast (t + 1 h), epoch ms. */
  targetTime: number;
  /** In BIKE_FEATURE_SPEC order; NaN where history is missing. */
  values: number[];
  /** Every lag present and rolling windows at least half full: the row may be scored. */
  complete: boolean;
}

export type BikeFeatureStep =
  | { kind: "features"; state: BikeCounterState; row: BikeFeatureRow }
  | { kind: "duplicate" | "late"; state: BikeCounterState };

function emptyState(hour: number): BikeCounterState {
  return { latestHour: hour, counts: new Array<number>(HISTORY_HOURS).fill(MISSING) };
}

function slot(hour: number): number {
  return ((hour % HISTORY_HOURS) + HISTORY_HOURS) % HISTORY_HOURS;
}

/**
 * Folds one event into the counter's state; returns the new state. The input is not mutated,
 * unless `reuse` says the caller owns it (a state this function returned earlier in the same
 * batch): then it is updated in place instead of copied — the same result, without a copy
 * of the history per event.
 */
export function stepBikeFeatures(previous: BikeCounterState | undefined, event: BikeCountEvent, reuse = false): BikeFeatureStep {
  const hour = Math.floor(event.timestamp / HOUR_MS);
  if (previous && hour <= previous.latestHour) {
    if (hour <= previous.latestHour - HISTORY_HOURS) return { kind: "late", state: previous };
    const i = slot(hour);
    if (previous.counts[i] !== MISSING) return { kind: "duplicate", state: previous };
    const counts = reuse ? previous.counts : previous.counts.slice();
    counts[i] = event.count;
    return { kind: "late", state: reuse ? previous : { latestHour: previous.latestHour, counts } };
  }
  let state: BikeCounterState;
  if (!previous || hour - previous.latestHour >= HISTORY_HOURS) {
    state = emptyState(hour);
  } else {
    const counts = reuse ? previous.counts : previous.counts.slice();
    for (let h = previous.latestHour + 1; h < hour; h++) counts[slot(h)] = MISSING;
    state = reuse ? previous : { latestHour: hour, counts };
    state.latestHour = hour;
  }
  state.counts[slot(hour)] = event.count;
  return { kind: "features", state, row: featureRow(state, event) };
}

// Every counter asks for the same few target hours in turn: remember the last ones.
const calendarCache = new Map<number, { hour: number; weekday: number; month: number; date: string }>();
function calendarOf(target: number): { hour: number; weekday: number; month: number; date: string } {
  let cal = calendarCache.get(target);
  if (!cal) {
    cal = parisCalendar(target);
    if (calendarCache.size >= 1_024) calendarCache.clear();
    calendarCache.set(target, cal);
  }
  return cal;
}

// Count `lag` hours before target hour t + 1 (NaN when missing).
function countAt(state: BikeCounterState, t: number, lag: number): number {
  const v = state.counts[slot(t + 1 - lag)]!;
  return v === MISSING ? Number.NaN : v;
}

// Mean of the counts `fromLag` … `fromLag + hours - 1` hours before t + 1, if at least half are there.
function meanOf(state: BikeCounterState, t: number, fromLag: number, hours: number): number {
  let sum = 0;
  let n = 0;
  for (let lag = fromLag; lag < fromLag + hours; lag++) {
    const v = state.counts[slot(t + 1 - lag)]!;
    if (v !== MISSING) {
      sum += v;
      n += 1;
    }
  }
  return n * 2 >= hours ? sum / n : Number.NaN;
}

function featureRow(state: BikeCounterState, event: BikeCountEvent): BikeFeatureRow {
  const t = state.latestHour;
  const target = (t + 1) * HOUR_MS;
  const cal = calendarOf(target);
  const lag1 = countAt(state, t, 1);
  const lag2 = countAt(state, t, 2);
  const lag168 = countAt(state, t, 168);
  const lag169 = countAt(state, t, 169);
  const mean24 = meanOf(state, t, 1, 24);
  const mean24LastWeek = meanOf(state, t, 169, 24);
  const values = [
    cal.hour,
    cal.weekday,
    cal.month,
    isFrenchHoliday(cal.date) ? 1 : 0,
    cal.weekday >= 5 ? 1 : 0,
    lag1,
    lag2,
    countAt(state, t, 3),
    countAt(state, t, 24),
    countAt(state, t, 48),
    lag168,
    lag169,
    mean24,
    meanOf(state, t, 1, 168),
    mean24LastWeek,
    // Last week's count at h, scaled by how this hour / this day compares with last week's.
    (lag168 * (lag1 + 1)) / (lag169 + 1),
    (lag168 * (mean24 + 1)) / (mean24LastWeek + 1),
    lag1 - lag2,
    lag1 - lag169,
  ];
  return {
    eventId: bikeEventId(event),
    counterId: event.counterId,
    eventTime: t * HOUR_MS,
    targetTime: target,
    values,
    complete: !values.some(Number.isNaN),
  };
}
