import { describe, expect, it } from "vitest";
import type { BikeCountEvent } from "../../../schemas/index.ts";
import {
  BIKE_FEATURE_NAMES,
  BIKE_FEATURE_SPEC,
  HOUR_MS,
  stepBikeFeatures,
  type BikeCounterState,
  type BikeFeatureRow,
} from "../../../stream/features/index.ts";

const T0 = Date.UTC(2021, 0, 4, 0); // Monday 2021-01-04 00:00 UTC = 01:00 Paris
const ev = (hour: number, count: number, counterId = "c1"): BikeCountEvent => ({
  counterId,
  siteId: "s1",
  timestamp: T0 + hour * HOUR_MS,
  count,
  latitude: 48.85,
  longitude: 2.35,
});
const feature = (row: BikeFeatureRow, name: string): number => row.values[BIKE_FEATURE_NAMES.indexOf(name)]!;

function run(events: BikeCountEvent[]): { state: BikeCounterState | undefined; rows: BikeFeatureRow[]; kinds: string[] } {
  let state: BikeCounterState | undefined;
  const rows: BikeFeatureRow[] = [];
  const kinds: string[] = [];
  for (const e of events) {
    const step = stepBikeFeatures(state, e);
    state = step.state;
    kinds.push(step.kind);
    if (step.kind === "features") rows.push(step.row);
  }
  return { state, rows, kinds };
}

describe("bike next-hour features", () => {
  it("has a stable spec hash that changes when the features change", () => {
    expect(BIKE_FEATURE_SPEC.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(BIKE_FEATURE_NAMES).toHaveLength(19);
  });

  it("computes lags relative to the target hour t+1 from a full history", () => {
    const events = Array.from({ length: 200 }, (_, h) => ev(h, h));
    const { rows } = run(events);
    const last = rows.at(-1)!; // event at hour 199, target 200
    expect(last.targetTime).toBe(T0 + 200 * HOUR_MS);
    expect(feature(last, "lag_1h")).toBe(199);
    expect(feature(last, "lag_2h")).toBe(198);
    expect(feature(last, "lag_3h")).toBe(197);
    expect(feature(last, "lag_24h")).toBe(176);
    expect(feature(last, "lag_48h")).toBe(152);
    expect(feature(last, "lag_168h")).toBe(32);
    expect(feature(last, "lag_169h")).toBe(31);
    expect(feature(last, "roll_mean_24h")).toBeCloseTo((176 + 199) / 2, 10);
    expect(feature(last, "roll_mean_168h")).toBeCloseTo((32 + 199) / 2, 10);
    expect(feature(last, "roll_mean_24h_last_week")).toBeCloseTo((8 + 31) / 2, 10);
    expect(feature(last, "seasonal_hour")).toBeCloseTo((32 * 200) / 32, 10);
    expect(feature(last, "seasonal_week")).toBeCloseTo((32 * (187.5 + 1)) / (19.5 + 1), 10);
    expect(feature(last, "delta_1h")).toBe(1);
    expect(feature(last, "delta_week")).toBe(168);
    expect(last.complete).toBe(true);
    expect(last.eventId).toBe(`c1@${new Date(T0 + 199 * HOUR_MS).toISOString()}`);
  });

  it("uses Paris local time for the calendar of the target hour", () => {
    // Event at 2021-01-04 22:00 UTC → target 23:00 UTC = Tuesday 00:00 in Paris (UTC+1).
    const { rows } = run([ev(22, 5)]);
    expect(feature(rows[0]!, "hour")).toBe(0);
    expect(feature(rows[0]!, "weekday")).toBe(1);
    expect(feature(rows[0]!, "month")).toBe(1);
    // Summer time: 2021-07-14 10:00 UTC → target 11:00 UTC = 13:00 Paris, a holiday (Wednesday).
    const summer = stepBikeFeatures(undefined, { ...ev(0, 1), timestamp: Date.UTC(2021, 6, 14, 10) });
    expect(summer.kind).toBe("features");
    if (summer.kind !== "features") return;
    expect(feature(summer.row, "hour")).toBe(13);
    expect(feature(summer.row, "weekday")).toBe(2);
    expect(feature(summer.row, "is_holiday")).toBe(1);
    expect(feature(summer.row, "is_weekend")).toBe(0);
  });

  it("starts a new counter cold: incomplete rows, no crash", () => {
    const { rows } = run([ev(0, 3), ev(1, 4)]);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => !r.complete)).toBe(true);
    expect(feature(rows[1]!, "lag_1h")).toBe(4);
    expect(feature(rows[1]!, "lag_2h")).toBe(3);
    expect(Number.isNaN(feature(rows[1]!, "lag_24h"))).toBe(true);
  });

  it("ignores a duplicate hour and keeps the first count", () => {
    const { rows, kinds, state } = run([ev(0, 3), ev(1, 4), ev(1, 99)]);
    expect(kinds).toEqual(["features", "features", "duplicate"]);
    expect(rows).toHaveLength(2);
    expect(state!.counts).toContain(4);
    expect(state!.counts).not.toContain(99);
  });

  it("stores a late event for later lags without scoring it", () => {
    const { rows, kinds } = run([ev(0, 3), ev(2, 5), ev(1, 4), ev(3, 6)]);
    expect(kinds).toEqual(["features", "features", "late", "features"]);
    expect(rows).toHaveLength(3);
    expect(feature(rows[2]!, "lag_3h")).toBe(4); // target 4: lag 3 is hour 1, filled late
  });

  it("marks hours in a gap as missing and the rows that need them incomplete", () => {
    const events = Array.from({ length: 200 }, (_, h) => ev(h, 10)).filter((e) => e.timestamp !== T0 + 190 * HOUR_MS);
    const { rows } = run(events);
    const at191 = rows.find((r) => r.eventTime === T0 + 191 * HOUR_MS)!;
    expect(Number.isNaN(feature(at191, "lag_2h"))).toBe(true);
    expect(at191.complete).toBe(false);
    expect(feature(at191, "roll_mean_24h")).toBe(10); // mean of the hours present
    const at193 = rows.find((r) => r.eventTime === T0 + 193 * HOUR_MS)!;
    expect(at193.complete).toBe(true);
  });

  it("does not mutate the state it is given", () => {
    const first = stepBikeFeatures(undefined, ev(0, 1));
    const before = JSON.stringify(first.state);
    stepBikeFeatures(first.state, ev(1, 2));
    expect(JSON.stringify(first.state)).toBe(before);
  });

  it("keeps counters apart", () => {
    const a = stepBikeFeatures(undefined, ev(0, 1, "a"));
    const b = stepBikeFeatures(undefined, ev(0, 100, "b"));
    expect(a.state.counts).toContain(1);
    expect(b.state.counts).not.toContain(1);
  });
});
