// French public holidays (jours fériés, metropolitan France): eight fixed dates plus
// Easter Monday, Ascension and Whit Monday, which move with Easter (anonymous Gregorian
// computus).

const cache = new Map<number, Set<string>>();

/** Easter Sunday of a Gregorian year as [month 1–12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

function isoDate(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

/** The holidays of a year as YYYY-MM-DD strings. */
export function frenchHolidays(year: number): Set<string> {
  let days = cache.get(year);
  if (days) return days;
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const DAY = 86_400_000;
  days = new Set([
    `${year}-01-01`, // Jour de l'an
    isoDate(easter + DAY), // Lundi de Pâques
    `${year}-05-01`, // Fête du Travail
    `${year}-05-08`, // Victoire 1945
    isoDate(easter + 39 * DAY), // Ascension
    isoDate(easter + 50 * DAY), // Lundi de Pentecôte
    `${year}-07-14`, // Fête nationale
    `${year}-08-15`, // Assomption
    `${year}-11-01`, // Toussaint
    `${year}-11-11`, // Armistice
    `${year}-12-25`, // Noël
  ]);
  cache.set(year, days);
  return days;
}

export function isFrenchHoliday(localDate: string): boolean {
  return frenchHolidays(Number(localDate.slice(0, 4))).has(localDate);
}
