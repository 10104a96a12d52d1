/**
 * Calendar arithmetic on whole UTC days (days since 1970-01-01), so that the generator never
 * builds a Date per row and never depends on the local time zone.
 */

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayOf(year: number, month: number, date: number): number {
  return Math.floor(Date.UTC(year, month - 1, date) / DAY_MS);
}

/** The epoch day of a real `YYYY-MM-DD` date, or null (2025-02-30 is not a date). */
export function parseIsoDay(text: string): number | null {
  const match = ISO_DAY.exec(text);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = dayOf(year, month, date);
  return isoDate(day) === text ? day : null;
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6; 1970-01-01 was a Thursday. */
export function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Formats days in a fixed window from a table, since 14M rows would otherwise each build a Date. */
export class DayFormatter {
  private readonly table: string[] = [];

  constructor(private readonly first: number, last: number) {
    for (let day = first; day <= last; day++) this.table.push(isoDate(day));
  }

  format(day: number): string {
    return this.table[day - this.first] ?? isoDate(day);
  }
}

function nthWeekday(year: number, month: number, wantedWeekday: number, nth: number): number {
  const first = dayOf(year, month, 1);
  const shift = (wantedWeekday - weekday(first) + 7) % 7;
  return first + shift + 7 * (nth - 1);
}

function lastWeekday(year: number, month: number, wantedWeekday: number): number {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekday(last) - wantedWeekday + 7) % 7);
}

/**
 * Days a typical US outpatient program closes (New Year, Memorial Day, Independence Day,
 * Labor Day, Thanksgiving, Christmas), so that every patient's sessions that day are `cancelled`
 * together, as they would be in a real schedule.
 */
export function programHolidays(firstDay: number, lastDay: number): Set<number> {
  const days = new Set<number>();
  for (let year = yearOf(firstDay); year <= yearOf(lastDay); year++) {
    days.add(dayOf(year, 1, 1));
    days.add(lastWeekday(year, 5, 0));
    days.add(dayOf(year, 7, 4));
    days.add(nthWeekday(year, 9, 0, 1));
    days.add(nthWeekday(year, 11, 3, 4));
    days.add(dayOf(year, 12, 25));
  }
  return days;
}
