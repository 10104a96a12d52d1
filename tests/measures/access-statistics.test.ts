import { describe, expect, it } from 'vitest';
import { iServ } from '../../metrics/measures/i-serv';
import { mbc } from '../../metrics/measures/mbc';
import { protectNiatx } from '../../metrics/measures/niatx';

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
