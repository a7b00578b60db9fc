import { describe, expect, it } from "vitest";
import { BikeCountEvent } from "../../../schemas/index.ts";
import { parseScenario, syntheticBikeEvents, type GeneratorOptions } from "../../../examples/bike-traffic/generator.ts";
import { parisCalendar } from "../../../stream/features/index.ts";

const FROM = Date.UTC(2021, 0, 4); // a Monday
const TO = Date.UTC(2021, 2, 1);
const MID = Date.UTC(2021, 1, 1);
const all = (o: Partial<GeneratorOptions> = {}) => [...syntheticBikeEvents({ counters: 6, from: FROM, to: TO, ...o })];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const countsOf = (events: BikeCountEvent[], pick: (e: BikeCountEvent) => boolean) => events.filter(pick).map((e) => e.count);

describe("synthetic bike counters", () => {
  it("is deterministic for a seed, valid, and in event-time order", () => {
    const a = all({ seed: 7 });
    expect(all({ seed: 7 })).toEqual(a);
    expect(all({ seed: 8 })).not.toEqual(a);
    expect(a).toHaveLength(6 * ((TO - FROM) / 3_600_000));
    for (let i = 1; i < a.length; i++) expect(a[i]!.timestamp).toBeGreaterThanOrEqual(a[i - 1]!.timestamp);
    for (const e of a.slice(0, 500)) expect(BikeCountEvent.safeParse(e).success).toBe(true);
  });

  it("has weekday commute peaks and quiet nights", () => {
    const a = all();
    const local = (e: BikeCountEvent) => parisCalendar(e.timestamp);
    const peak = mean(countsOf(a, (e) => local(e).hour === 8 && local(e).weekday < 5));
    const night = mean(countsOf(a, (e) => local(e).hour === 3));
    const weekendPeak = mean(countsOf(a, (e) => local(e).hour === 8 && local(e).weekday >= 5));
    expect(peak).toBeGreaterThan(20 * night);
    expect(peak).toBeGreaterThan(3 * weekendPeak);
  });

  it("applies each named drift scenario from its date", () => {
    const base = all();
    const ratioAfter = (events: BikeCountEvent[], pick: (e: BikeCountEvent) => boolean = () => true) =>
      mean(countsOf(events, (e) => e.timestamp >= MID && pick(e))) / mean(countsOf(base, (e) => e.timestamp >= MID && pick(e)));
    expect(ratioAfter(all({ scenarios: [{ name: "season-change", at: MID }] }))).toBeCloseTo(0.55, 1);
    const first = (e: BikeCountEvent) => e.counterId === "synthetic-001";
    expect(ratioAfter(all({ scenarios: [{ name: "new-bike-lane", at: MID }] }), first)).toBeCloseTo(1.6, 1);
    const broken = all({ scenarios: [{ name: "broken-counter", at: MID, counter: 2 }] });
    expect(countsOf(broken, (e) => e.counterId === "synthetic-003" && e.timestamp >= MID).every((c) => c === 0)).toBe(true);
    expect(countsOf(broken, (e) => e.counterId === "synthetic-003" && e.timestamp < MID).some((c) => c > 0)).toBe(true);
    const surge = all({ scenarios: [{ name: "strike-surge", at: MID }] });
    const inSurge = (e: BikeCountEvent) => e.timestamp < MID + 14 * 86_400_000;
    expect(ratioAfter(surge, inSurge)).toBeCloseTo(2, 1);
    const withNew = all({ scenarios: [{ name: "new-counter", at: MID }] });
    const newcomer = withNew.filter((e) => e.counterId.startsWith("synthetic-new"));
    expect(newcomer.length).toBe((TO - MID) / 3_600_000);
    expect(newcomer[0]!.timestamp).toBe(MID);
  });

  it("parses scenario specs and names what is wrong with a bad one", () => {
    expect(parseScenario("broken-counter@2021-02-01:counter=3", 0)).toEqual({ name: "broken-counter", at: MID, counter: 3 });
    expect(parseScenario("season-change", 123)).toEqual({ name: "season-change", at: 123 });
    expect(() => parseScenario("meteor-strike", 0)).toThrow(/unknown scenario "meteor-strike": use one of season-change/);
  });
});
