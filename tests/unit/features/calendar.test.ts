import { describe, expect, it } from "vitest";
import { easterSunday, frenchHolidays, isFrenchHoliday, parisCalendar, parisOffsetMs } from "../../../stream/features/index.ts";

describe("Paris calendar", () => {
  it("switches to summer time on the last Sunday of March at 01:00 UTC", () => {
    expect(parisOffsetMs(Date.UTC(2021, 2, 28, 0, 59))).toBe(3_600_000);
    expect(parisOffsetMs(Date.UTC(2021, 2, 28, 1, 0))).toBe(7_200_000);
    expect(parisOffsetMs(Date.UTC(2020, 9, 25, 0, 59))).toBe(7_200_000);
    expect(parisOffsetMs(Date.UTC(2020, 9, 25, 1, 0))).toBe(3_600_000);
  });

  it("agrees with Intl for every hour of the sample's year", () => {
    const fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Paris", hour: "2-digit", hourCycle: "h23", weekday: "short", month: "numeric", day: "numeric", year: "numeric",
    });
    const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    for (let t = Date.UTC(2020, 8, 1); t < Date.UTC(2021, 9, 1); t += 3_600_000 * 7) {
      const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
      const cal = parisCalendar(t);
      expect(cal.hour).toBe(Number(parts.hour));
      expect(days[cal.weekday]).toBe(parts.weekday);
      expect(cal.month).toBe(Number(parts.month));
      expect(cal.day).toBe(Number(parts.day));
    }
  });
});

describe("French public holidays", () => {
  it("computes Easter Sunday", () => {
    expect(easterSunday(2021)).toEqual([4, 4]);
    expect(easterSunday(2020)).toEqual([4, 12]);
    expect(easterSunday(2024)).toEqual([3, 31]);
  });

  it("lists the eleven holidays of 2021 with the movable ones", () => {
    const h = frenchHolidays(2021);
    expect(h.size).toBe(11);
    expect(h.has("2021-04-05")).toBe(true); // Easter Monday
    expect(h.has("2021-05-13")).toBe(true); // Ascension
    expect(h.has("2021-05-24")).toBe(true); // Whit Monday
    expect(isFrenchHoliday("2020-11-11")).toBe(true);
    expect(isFrenchHoliday("2020-11-12")).toBe(false);
  });
});
