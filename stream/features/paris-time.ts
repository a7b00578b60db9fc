// Calendar fields in Europe/Paris local time, computed from epoch milliseconds without Intl
// (which costs microseconds per call on the hot path). EU rule since 1996: summer time
// from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.

export interface LocalCalendar {
  /** 0–23, local hour. */
  hour: number;
  /** 0 = Monday … 6 = Sunday, local date. */
  weekday: number;
  /** 1–12, local month. */
  month: number;
  /** Local calendar date as YYYY-MM-DD. */
  date: string;
  year: number;
  day: number;
}

const HOUR = 3_600_000;
const transitions = new Map<number, [number, number]>();

function lastSundayUtc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  return Date.UTC(year, monthIndex, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

function summerTimeOf(year: number): [number, number] {
  let t = transitions.get(year);
  if (!t) {
    t = [lastSundayUtc(year, 2), lastSundayUtc(year, 9)];
    transitions.set(year, t);
  }
  return t;
}

/** Offset of Paris local time from UTC at an instant, in milliseconds (+1 h or +2 h). */
export function parisOffsetMs(epochMs: number): number {
  const [start, end] = summerTimeOf(new Date(epochMs).getUTCFullYear());
  return epochMs >= start && epochMs < end ? 2 * HOUR : HOUR;
}

export function parisCalendar(epochMs: number): LocalCalendar {
  const local = new Date(epochMs + parisOffsetMs(epochMs));
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  const day = local.getUTCDate();
  return {
    hour: local.getUTCHours(),
    weekday: (local.getUTCDay() + 6) % 7,
    month,
    year,
    day,
    date: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
  };
}
