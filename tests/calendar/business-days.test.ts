import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { businessCalendarCte, businessDaysBetween, federalHolidays, holidayDates } from '../../metrics/calendar/business-days';
import { ConfigError, parseHolidays } from '../../warehouse/config';
import { useTestDatabase } from '../harness/database';

/**
 * The federal holidays as the U.S. Office of Personnel Management publishes them, observed
 * dates: https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/ (the
 * "Federal Holidays" tables for 2021 through 2027). OPM lists Friday, December 31, 2021
 * under 2022 (New Year's Day 2022 fell on a Saturday) and Friday, December 31, 2027 under
 * 2028; here each date sits in the calendar year it falls in.
 */
const OPM: Record<number, string[]> = {
  2021: ['2021-01-01', '2021-01-18', '2021-02-15', '2021-05-31', '2021-06-18', '2021-07-05', '2021-09-06', '2021-10-11', '2021-11-11', '2021-11-25', '2021-12-24', '2021-12-31'],
  2022: ['2022-01-17', '2022-02-21', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-10-10', '2022-11-11', '2022-11-24', '2022-12-26'],
  2023: ['2023-01-02', '2023-01-16', '2023-02-20', '2023-05-29', '2023-06-19', '2023-07-04', '2023-09-04', '2023-10-09', '2023-11-10', '2023-11-23', '2023-12-25'],
  2024: ['2024-01-01', '2024-01-15', '2024-02-19', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-10-14', '2024-11-11', '2024-11-28', '2024-12-25'],
  2025: ['2025-01-01', '2025-01-20', '2025-02-17', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-10-13', '2025-11-11', '2025-11-27', '2025-12-25'],
  2026: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25'],
  2027: ['2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24', '2027-12-31'],
};

describe('US federal holidays by rule (observed dates)', () => {
  for (const [year, dates] of Object.entries(OPM)) {
    it(`equals the OPM list for ${year}`, () => {
      expect(federalHolidays(Number(year), Number(year)).map((h) => h.date)).toEqual(dates);
    });
  }

  it('observes a Saturday holiday on the Friday before and a Sunday one on the Monday after', () => {
    // Independence Day 2026 is a Saturday; Christmas 2022 a Sunday.
    expect(federalHolidays(2026, 2026).find((h) => h.name === 'Independence Day')).toEqual({ date: '2026-07-03', name: 'Independence Day', actual: '2026-07-04' });
    expect(federalHolidays(2022, 2022).find((h) => h.name === 'Christmas Day')).toEqual({ date: '2022-12-26', name: 'Christmas Day', actual: '2022-12-25' });
  });

  it("observes New Year's Day on a Saturday on December 31 of the year before", () => {
    // 2022-01-01 and 2028-01-01 are Saturdays.
    expect(federalHolidays(2021, 2021).at(-1)).toEqual({ date: '2021-12-31', name: "New Year's Day", actual: '2022-01-01' });
    expect(federalHolidays(2022, 2022)[0]?.date).toBe('2022-01-17');
  });

  it('has no Juneteenth before 2021 and no Martin Luther King Day before 1986', () => {
    expect(federalHolidays(2020, 2020).map((h) => h.name)).not.toContain('Juneteenth National Independence Day');
    expect(federalHolidays(1985, 1985).map((h) => h.name)).not.toContain('Birthday of Martin Luther King, Jr.');
    expect(federalHolidays(1986, 1986).map((h) => h.date)).toContain('1986-01-20');
  });
});

describe('business days between two dates: weekdays in (d1, d2] that are not holidays', () => {
  it('counts 0 for the same day and skips the first day', () => {
    expect(businessDaysBetween('2026-03-02', '2026-03-02')).toBe(0);
    expect(businessDaysBetween('2026-03-02', '2026-03-03')).toBe(1); // Monday → Tuesday
    expect(businessDaysBetween('2026-03-06', '2026-03-09')).toBe(1); // Friday → Monday: the weekend counts nothing
    expect(businessDaysBetween('2026-03-02', '2026-03-16')).toBe(10);
  });

  it('skips a Monday holiday after a Friday first contact', () => {
    // Friday 2026-01-16, then Martin Luther King Day on Monday 2026-01-19: Tuesday is the first business day.
    expect(businessDaysBetween('2026-01-16', '2026-01-19')).toBe(0);
    expect(businessDaysBetween('2026-01-16', '2026-01-20')).toBe(1);
    expect(businessDaysBetween('2026-01-16', '2026-01-30')).toBe(9);
  });

  it('skips the observed Friday of a Saturday holiday, not the Saturday', () => {
    // Independence Day 2026 on Saturday, observed Friday 2026-07-03.
    expect(businessDaysBetween('2026-07-02', '2026-07-06')).toBe(1);
    expect(businessDaysBetween('2021-12-30', '2022-01-03')).toBe(1); // Friday 2021-12-31 observed New Year's Day 2022
  });

  it('skips configured holidays', () => {
    expect(businessDaysBetween('2026-12-23', '2026-12-28', ['2026-12-24'])).toBe(1);
    expect(businessDaysBetween('2026-12-23', '2026-12-28')).toBe(2);
    expect(holidayDates(2026, 2026, ['2026-12-24', '2031-01-02'])).toContain('2026-12-24');
  });

  it('reads IOP_HOLIDAYS as a list of real dates and refuses anything else', () => {
    expect(parseHolidays(' 2026-12-31, 2026-12-24 ')).toEqual(['2026-12-24', '2026-12-31']);
    expect(parseHolidays(undefined)).toEqual([]);
    expect(() => parseHolidays('2026-02-30')).toThrow(ConfigError);
    expect(() => parseHolidays('24/12/2026')).toThrow(/IOP_HOLIDAYS: "24\/12\/2026" is not a date YYYY-MM-DD/);
  });
});

describe('the SQL business calendar', () => {
  const t = useTestDatabase();

  it('gives the same counts as the TypeScript rule for every pair of days around the 2021–2027 holidays', async () => {
    const configured = ['2024-12-24'];
    const { rows } = await sql<{ on_day: string; ord: number }>`
      with ${businessCalendarCte(sql`'2021-12-20'::date`, sql`'2027-01-10'::date`, 2027, configured)}
      select to_char(on_day, 'YYYY-MM-DD') as on_day, ord from business_calendar order by on_day`.execute(t.wh.db);
    const ord = new Map(rows.map((r) => [r.on_day, r.ord]));
    const days = rows.map((r) => r.on_day);
    for (let i = 0; i < days.length; i += 37) {
      for (const span of [0, 1, 3, 6, 14, 20]) {
        const a = days[i];
        const b = days[i + span];
        if (a === undefined || b === undefined) continue;
        expect((ord.get(b) ?? NaN) - (ord.get(a) ?? NaN), `${a} → ${b}`).toBe(businessDaysBetween(a, b, configured));
      }
    }
  });
});
