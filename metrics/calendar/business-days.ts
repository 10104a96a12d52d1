import { sql, type RawBuilder } from 'kysely';

/**
 * Business days for CCBHC I-SERV (docs/measures.md "Business days"): weekdays that are not
 * holidays. Holidays are the US federal holidays (5 U.S.C. 6103) by rule, on their observed
 * date when they fall on a weekend (Saturday → the Friday before, Sunday → the Monday
 * after, as OPM publishes them), plus any configured ones (IOP_HOLIDAYS, warehouse/config.ts).
 *
 * The arithmetic is a handful of UTC day steps (nth weekday of a month, a weekday shift), so
 * it uses Date.UTC directly rather than a date library.
 */

type Rule =
  | { kind: 'fixed'; month: number; day: number }
  /** nth (1-based) weekday (0 = Sunday … 6 = Saturday) of the month; n = -1: the last one. */
  | { kind: 'nth'; month: number; weekday: number; n: number };

export interface HolidayRule {
  name: string;
  rule: Rule;
  /** First year the holiday is observed by this rule. */
  from: number;
}

/**
 * The federal holiday rule table (5 U.S.C. 6103(a)); Monday holidays by the Uniform Monday
 * Holiday Act (1971), Martin Luther King Jr.'s Birthday from 1986, Juneteenth from 2021.
 * Years before 1971 are computed with the same rules.
 */
export const FEDERAL_HOLIDAYS: readonly HolidayRule[] = [
  { name: "New Year's Day", rule: { kind: 'fixed', month: 1, day: 1 }, from: 0 },
  { name: 'Birthday of Martin Luther King, Jr.', rule: { kind: 'nth', month: 1, weekday: 1, n: 3 }, from: 1986 },
  { name: "Washington's Birthday", rule: { kind: 'nth', month: 2, weekday: 1, n: 3 }, from: 0 },
  { name: 'Memorial Day', rule: { kind: 'nth', month: 5, weekday: 1, n: -1 }, from: 0 },
  { name: 'Juneteenth National Independence Day', rule: { kind: 'fixed', month: 6, day: 19 }, from: 2021 },
  { name: 'Independence Day', rule: { kind: 'fixed', month: 7, day: 4 }, from: 0 },
  { name: 'Labor Day', rule: { kind: 'nth', month: 9, weekday: 1, n: 1 }, from: 0 },
  { name: 'Columbus Day', rule: { kind: 'nth', month: 10, weekday: 1, n: 2 }, from: 0 },
  { name: 'Veterans Day', rule: { kind: 'fixed', month: 11, day: 11 }, from: 0 },
  { name: 'Thanksgiving Day', rule: { kind: 'nth', month: 11, weekday: 4, n: 4 }, from: 0 },
  { name: 'Christmas Day', rule: { kind: 'fixed', month: 12, day: 25 }, from: 0 },
];

const DAY_MS = 86_400_000;

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * DAY_MS);
}

function actualDate(rule: Rule, year: number): Date {
  if (rule.kind === 'fixed') return utc(year, rule.month, rule.day);
  if (rule.n > 0) {
    const first = utc(year, rule.month, 1);
    return addDays(first, ((rule.weekday - first.getUTCDay() + 7) % 7) + 7 * (rule.n - 1));
  }
  const last = utc(year, rule.month + 1, 0);
  return addDays(last, -((last.getUTCDay() - rule.weekday + 7) % 7));
}

/** The observed date: a Saturday holiday is observed the Friday before, a Sunday one the Monday after. */
export function observed(d: Date): Date {
  const wd = d.getUTCDay();
  return wd === 6 ? addDays(d, -1) : wd === 0 ? addDays(d, 1) : d;
}

export interface Holiday { date: string; name: string; actual: string }

/**
 * The federal holidays observed in calendar years `fromYear`–`toYear`, by observed date
 * (ascending). New Year's Day on a Saturday is observed on December 31 of the year
 * before, so that date belongs to the earlier year.
 */
export function federalHolidays(fromYear: number, toYear: number): Holiday[] {
  const out: Holiday[] = [];
  for (let year = fromYear; year <= toYear + 1; year++) {
    for (const h of FEDERAL_HOLIDAYS) {
      if (year < h.from) continue;
      const actual = actualDate(h.rule, year);
      const date = observed(actual);
      const y = date.getUTCFullYear();
      if (y >= fromYear && y <= toYear) out.push({ date: iso(date), name: h.name, actual: iso(actual) });
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Every holiday date (federal observed + configured) in years fromYear–toYear, sorted, unique. */
export function holidayDates(fromYear: number, toYear: number, configured: readonly string[] = []): string[] {
  const all = new Set(federalHolidays(fromYear, toYear).map((h) => h.date));
  for (const d of configured) {
    const y = Number(d.slice(0, 4));
    if (y >= fromYear && y <= toYear) all.add(d);
  }
  return [...all].sort();
}

function parseIso(d: string): Date {
  return new Date(`${d}T00:00:00Z`);
}

function isWeekend(d: Date): boolean {
  const wd = d.getUTCDay();
  return wd === 0 || wd === 6;
}

/**
 * Business days between d1 and d2: the weekdays in (d1, d2] that are not holidays (d1
 * itself never counts, so the same day is 0). Negative when d2 is before d1.
 */
export function businessDaysBetween(d1: string, d2: string, configured: readonly string[] = []): number {
  if (d2 < d1) return -businessDaysBetween(d2, d1, configured);
  const a = parseIso(d1);
  const b = parseIso(d2);
  const holidays = new Set(holidayDates(a.getUTCFullYear(), b.getUTCFullYear(), configured));
  let n = 0;
  for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) {
    if (!isWeekend(d) && !holidays.has(iso(d))) n++;
  }
  return n;
}

/** The years the SQL calendar covers: the federal rules from 1971 through the year after as_of. */
export const CALENDAR_FIRST_YEAR = 1971;

/**
 * A SQL CTE `business_calendar(on_day date, ord int)`: for every day from `from` to `to`,
 * the number of business days on or before it since `from`. Business days between d1 and
 * d2 are then `ord(d2) − ord(d1)`: two hash joins on a table of a few thousand rows, so a
 * measure over 200k episodes adds no per-episode loop. The holiday list is bound as one
 * date[] parameter.
 */
export function businessCalendarCte(from: RawBuilder<unknown>, to: RawBuilder<unknown>, asOfYear: number, configured: readonly string[]): RawBuilder<unknown> {
  const holidays = holidayDates(CALENDAR_FIRST_YEAR, asOfYear + 1, configured);
  return sql`business_calendar as (
    select d::date as on_day,
      (sum(case when extract(isodow from d) < 6 and not (d::date = any(${holidays}::date[])) then 1 else 0 end) over (order by d))::int as ord
    from generate_series((${from})::date, (${to})::date, interval '1 day') d
  )`;
}
