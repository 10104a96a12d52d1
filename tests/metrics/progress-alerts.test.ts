import { describe, expect, it } from 'vitest';
import { judge, weekOf } from '../../metrics/progress/alerts';
import { clipToRange } from '../../metrics/progress/current-fit';
import type { ExpectedPoint } from '../../metrics/progress/expected';

/**
 * The not-on-track rules of docs/progress.md "Alerts" on hand-made bands (no fit):
 * lower is better, clinical band, week 4 limits [10, 18], RC 6.
 */
const LOW = { higher_is_better: false, clinical_cutoff: 10, remission_below: 5 };
const HIGH = { higher_is_better: true, clinical_cutoff: 50, remission_below: null };
const point = (band: ExpectedPoint['band'], week: number, lower: number, upper: number): ExpectedPoint => ({ band, week, mean: (lower + upper) / 2, lower, upper });
const bands = [point('clinical', 3, 11, 19), point('clinical', 4, 10, 18), point('subclinical', 4, 2, 9)];
const opts = { cutoffs: LOW, bandsInModel: true, expected: bands, rc: 6 };

describe('judge', () => {
  it('a score equal to the upper limit is inside; one above it is outside', () => {
    expect(judge({ baseline: 20, latest: 18, day: 28 }, opts).reasons).toEqual([]);
    expect(judge({ baseline: 20, latest: 18.01, day: 28 }, opts)).toMatchObject({ band: 'clinical', week: 4, expected_upper: 18, reasons: ['above_band'] });
  });

  it('reads the whole week: day 27 is week 3, day 28 week 4; before admission is week 0', () => {
    expect(weekOf(27)).toBe(3);
    expect(weekOf(28)).toBe(4);
    expect(weekOf(-5)).toBe(0);
    expect(judge({ baseline: 20, latest: 18.5, day: 27 }, opts).reasons).toEqual([]);
    expect(judge({ baseline: 20, latest: 18.5, day: 28 }, opts).reasons).toEqual(['above_band']);
  });

  it('a rise of exactly RC alerts, RC − 1 does not (lower is better)', () => {
    // subclinical at week 4: upper 9, so use a week without a band (week 20) to test RC alone
    expect(judge({ baseline: 8, latest: 14, day: 140 }, opts)).toMatchObject({ worsening: 6, expected_upper: null, reasons: ['reliable_worsening'] });
    expect(judge({ baseline: 8, latest: 13, day: 140 }, opts).reasons).toEqual([]);
    // both rules at once
    expect(judge({ baseline: 8, latest: 14, day: 28 }, opts).reasons).toEqual(['above_band', 'reliable_worsening']);
  });

  it('higher is better: below the lower limit and a fall of RC alert', () => {
    const h = { cutoffs: HIGH, bandsInModel: true, expected: [point('clinical', 2, 45.5, 54.5)], rc: 10 };
    expect(judge({ baseline: 40, latest: 45.5, day: 14 }, h).reasons).toEqual([]);
    expect(judge({ baseline: 40, latest: 45, day: 14 }, h).reasons).toEqual(['above_band']);
    expect(judge({ baseline: 60, latest: 50, day: 200 }, h)).toMatchObject({ worsening: 10, reasons: ['reliable_worsening'] });
    expect(judge({ baseline: 60, latest: 51, day: 200 }, h).reasons).toEqual([]);
  });

  it('without an RC only the band rule applies; without bands in the model the band is null', () => {
    expect(judge({ baseline: 8, latest: 27, day: 140 }, { ...opts, rc: null }).reasons).toEqual([]);
    const noBands = { cutoffs: LOW, bandsInModel: false, expected: [point(null, 4, 0, 12)], rc: null };
    expect(judge({ baseline: 20, latest: 13, day: 30 }, noBands)).toMatchObject({ band: null, reasons: ['above_band'] });
  });

  it('clips the limits to the score range, so a score at the top of the scale never passes an upper limit beyond it', () => {
    const clipped = clipToRange([point('clinical', 0, -3, 31)], 0, 27);
    expect(clipped[0]).toMatchObject({ lower: 0, upper: 27 });
    expect(judge({ baseline: 27, latest: 27, day: 0 }, { ...opts, expected: clipToRange([point('clinical', 0, 20, 31)], 0, 27), rc: null }).reasons).toEqual([]);
  });
});
