// Synthetic bike counters with the shape of the Paris data — commute peaks on weekdays, a
// flatter weekend, a seasonal swing, fewer riders on public holidays — and drift scenarios
// you can name and date:
//   season-change   from the date, every counter's level drops to winter's (× 0.55)
//   new-bike-lane   from the date, a level shift (× 1.6) on one counter (default the first)
//   strike-surge    for 14 days from the date, transit strikes double the counts
//   broken-counter  from the date, one counter is stuck at zero
//   new-counter     a new counter starts reporting at the date
// Deterministic for a seed: the same options give the same events.
import type { BikeCountEvent } from "../../schemas/index.ts";
import { isFrenchHoliday, parisCalendar } from "../../stream/features/index.ts";

export const SCENARIOS = ["season-change", "new-bike-lane", "strike-surge", "broken-counter", "new-counter"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scenario {
  name: ScenarioName;
  at: number;
  /** Counter index the scenario applies to (new-bike-lane, broken-counter). */
  counter?: number;
}

export interface GeneratorOptions {
  counters: number;
  from: number;
  to: number;
  seed?: number;
  scenarios?: Scenario[];
}

const HOUR = 3_600_000;

/** Parses `name` or `name@2021-01-01` or `name@2021-01-01:counter=3`. */
export function parseScenario(text: string, defaultAt: number): Scenario {
  const m = /^([a-z-]+)(?:@([0-9T:\-Z.]+?))?(?::counter=(\d+))?$/.exec(text.trim());
  if (!m || !(SCENARIOS as readonly string[]).includes(m[1]!)) {
    throw new Error(`unknown scenario "${text}": use one of ${SCENARIOS.join(", ")}, optionally @YYYY-MM-DD and :counter=N`);
  }
  const at = m[2] ? Date.parse(m[2]) : defaultAt;
  if (Number.isNaN(at)) throw new Error(`scenario "${text}": "${m[2]}" is not a date`);
  return { name: m[1] as ScenarioName, at, ...(m[3] ? { counter: Number(m[3]) } : {}) };
}

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative riders by local hour, weekday vs weekend (commute peaks at 8–9 h and 18 h). */
const WEEKDAY = [0.05, 0.02, 0.01, 0.01, 0.02, 0.08, 0.35, 0.85, 1.0, 0.6, 0.4, 0.42, 0.5, 0.48, 0.45, 0.5, 0.65, 0.9, 0.95, 0.65, 0.4, 0.28, 0.18, 0.1];
const WEEKEND = [0.1, 0.06, 0.04, 0.02, 0.02, 0.03, 0.06, 0.12, 0.22, 0.35, 0.48, 0.55, 0.6, 0.62, 0.62, 0.6, 0.58, 0.52, 0.45, 0.35, 0.25, 0.18, 0.13, 0.1];

interface Counter {
  counterId: string;
  siteId: string;
  latitude: number;
  longitude: number;
  level: number;
  startsAt: number;
}

function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** Events in event-time order (hour by hour, counters in a fixed order within an hour). */
export function* syntheticBikeEvents(options: GeneratorOptions): Generator<BikeCountEvent> {
  const random = rng(options.seed ?? 42);
  const scenarios = options.scenarios ?? [];
  const counters: Counter[] = Array.from({ length: options.counters }, (_, i) => ({
    counterId: `synthetic-${String(i + 1).padStart(3, "0")}`,
    siteId: `synthetic-site-${String(Math.floor(i / 2) + 1).padStart(3, "0")}`,
    latitude: 48.83 + random() * 0.07,
    longitude: 2.27 + random() * 0.14,
    level: 40 + Math.exp(random() * 2.2) * 40, // peak-hour riders: ~80 to ~400
    startsAt: options.from,
  }));
  for (const s of scenarios.filter((s) => s.name === "new-counter")) {
    counters.push({
      counterId: `synthetic-new-${counters.length + 1}`,
      siteId: "synthetic-site-new",
      latitude: 48.86,
      longitude: 2.35,
      level: 150,
      startsAt: s.at,
    });
  }
  const start = Math.ceil(options.from / HOUR) * HOUR;
  for (let t = start; t < options.to; t += HOUR) {
    const cal = parisCalendar(t);
    const weekend = cal.weekday >= 5 || isFrenchHoliday(cal.date);
    const profile = (weekend ? WEEKEND : WEEKDAY)[cal.hour]!;
    // Seasonal swing: highest in June, lowest in January (Paris: about ± 30 %).
    const dayOfYear = (t - Date.UTC(new Date(t).getUTCFullYear(), 0, 1)) / (24 * HOUR);
    let season = 1 + 0.3 * Math.cos((2 * Math.PI * (dayOfYear - 170)) / 365);
    if (scenarios.some((s) => s.name === "season-change" && t >= s.at)) season *= 0.55;
    const surge = scenarios.some((s) => s.name === "strike-surge" && t >= s.at && t < s.at + 14 * 24 * HOUR) ? 2 : 1;
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      if (t < c.startsAt) continue;
      const lane = scenarios.some((s) => s.name === "new-bike-lane" && t >= s.at && (s.counter ?? 0) === i) ? 1.6 : 1;
      const broken = scenarios.some((s) => s.name === "broken-counter" && t >= s.at && (s.counter ?? 0) === i);
      const weather = 0.85 + 0.3 * random(); // a rainy hour rides less
      const count = broken ? 0 : poisson(c.level * profile * season * surge * lane * weather, random);
      yield { counterId: c.counterId, siteId: c.siteId, timestamp: t, count, latitude: c.latitude, longitude: c.longitude };
    }
  }
}
