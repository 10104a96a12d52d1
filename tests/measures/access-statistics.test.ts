import { describe, expect, it } from 'vitest';
import { iServ } from '../../metrics/measures/i-serv';
import { mbc } from '../../metrics/measures/mbc';
import { discloseNiatx, protectNiatx } from '../../metrics/measures/niatx';
import { protectMeasure } from '../../metrics/measures/protect';
import type { MeasureResponse } from '../../metrics/measures/schema';

/** Group statistics below min_cell are withheld for roles below analyst (docs/measures.md "Suppression"). */
describe('suppression of the access and MBC statistics', () => {
  const niatx = {
    wait_days_n: 7, wait_days_mean: 4.2, wait_days_median: 4, wait_days_iqr: [2, 6], attended: 120, no_show: 9, no_show_rate: 9 / 129,
    admissions: [{ month: '2026-01', admissions: 20 }, { month: '2026-02', admissions: 4 }, { month: '2026-03', admissions: 15 }],
  };

  it('niatx: hides wait days from fewer than 11 episodes, the no-show figures when a count is small, and a small month with its complement', () => {
    expect(protectNiatx(niatx, 39, 11)).toEqual({
      wait_days_n: null, wait_days_mean: null, wait_days_median: null, wait_days_iqr: null,
      attended: null, no_show: null, no_show_rate: null,
      admissions: [{ month: '2026-01', admissions: 20 }, { month: '2026-02', admissions: null }, { month: '2026-03', admissions: null }],
      suppressed: ['wait_days_n', 'wait_days_mean', 'wait_days_median', 'wait_days_iqr', 'attended', 'no_show', 'no_show_rate', 'admissions'],
    });
  });

  it('niatx: shows everything at min_cell 0 (analysts and admins may ask for it)', () => {
    expect(protectNiatx(niatx, 39, 0)).toEqual({ ...niatx, suppressed: [] });
  });

  it('i-serv: hides a mean from fewer than 11 episodes', () => {
    const s = { evaluation_n: 5, evaluation_business_days_mean: 3.2, service_n: 30, service_business_days_mean: 6.1 };
    expect(iServ.protectStatistics?.(s, 30, 11)).toEqual({
      evaluation_n: null, evaluation_business_days_mean: null, service_n: 30, service_business_days_mean: 6.1,
      suppressed: ['evaluation_n', 'evaluation_business_days_mean'],
    });
  });

  it('mbc: hides the week counts and share when the measured or unmeasured weeks are small', () => {
    expect(mbc.protectStatistics?.({ episode_weeks: 50, weeks_measured: 45, share_of_weeks: 0.9 }, 12, 11))
      .toEqual({ episode_weeks: null, weeks_measured: null, share_of_weeks: null, suppressed: ['episode_weeks', 'weeks_measured', 'share_of_weeks'] });
    expect(mbc.protectStatistics?.({ episode_weeks: 50, weeks_measured: 30, share_of_weeks: 0.6 }, 12, 11))
      .toEqual({ episode_weeks: 50, weeks_measured: 30, share_of_weeks: 0.6, suppressed: [] });
  });
});

describe('disclosure of the statistics for roles below analyst (counts rounded to base 5)', () => {
  it('niatx: rounds the counts, recomputes the no-show rate from them and rounds wait days to one decimal', () => {
    const out = discloseNiatx({
      wait_days_n: 23, wait_days_mean: 5.3333, wait_days_median: 5, wait_days_iqr: [3.25, 7.75], attended: 122, no_show: 18, no_show_rate: 18 / 140,
      admissions: [{ month: '2026-01', admissions: 22 }, { month: '2026-02', admissions: null }], suppressed: [],
    });
    expect(out).toEqual({
      wait_days_n: 25, wait_days_mean: 5.3, wait_days_median: 5, wait_days_iqr: [3.3, 7.8], attended: 120, no_show: 20, no_show_rate: 20 / 140,
      admissions: [{ month: '2026-01', admissions: 20 }, { month: '2026-02', admissions: null }], suppressed: [],
    });
  });

  it('protectMeasure applies the measure\'s rounding to its statistics', () => {
    const g = { key: { track: 'day' }, initial_population: 40, denominator: 40, exclusions: 1, window_open: 0, numerator: 20, rate: 0.5, rate_ci: [0.35, 0.65] as [number, number],
      labels: { measured_80: 20, below_80: 20, no_attended_week: 0 }, statistics: { episode_weeks: 213, weeks_measured: 122, share_of_weeks: 122 / 213, suppressed: [] }, suppressed: [] };
    const r: MeasureResponse = { measure: 'mbc', as_of: '2026-06-30', min_cell: 11, filters: {}, definition: { source: 'x', text: {} }, groups: [g], strata: [], notes: [], suppressed: false };
    const out = protectMeasure(r).groups[0];
    expect(out && 'statistics' in out ? out.statistics : null).toEqual({ episode_weeks: 215, weeks_measured: 120, share_of_weeks: 120 / 215, suppressed: [] });
  });
});
