import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { measureGroup } from '../../metrics/measures/run';
import { MeasureGroupSchema } from '../../metrics/measures/schema';
import type { MeasureSpec } from '../../metrics/measures/spec';
import { wilson } from '../../metrics/stats/wilson';

const spec: MeasureSpec = {
  name: 'dep-rem-6',
  source: 'test',
  labels: ['remission', 'no_remission', 'no_follow_up', 'excluded', 'window_open'],
  numerator: ['remission'],
  definition: () => ({}),
  labelled: () => sql`labelled as (select 1)`,
};

const counts = (o: Record<string, number>) => new Map(Object.entries(o));

describe('measureGroup (the shared counts, rate and suppression of every measure)', () => {
  it('denominator = initial population − exclusions − window_open, rate with its Wilson CI (MEASURES example numbers)', () => {
    // docs/measures.md "The response": 40 episodes, 3 excluded, 6 with the window open, 9 of 31 in remission.
    const g = measureGroup(spec, { track: 'day' }, counts({ remission: 9, no_remission: 14, no_follow_up: 8, excluded: 3, window_open: 6 }), 0);
    expect(g).toEqual({
      key: { track: 'day' }, initial_population: 40, denominator: 31, exclusions: 3, window_open: 6, numerator: 9,
      rate: 9 / 31, rate_ci: wilson(9, 31),
      labels: { remission: 9, no_remission: 14, no_follow_up: 8, excluded: 3, window_open: 6 }, suppressed: [],
    });
    expect(MeasureGroupSchema.safeParse(g).success).toBe(true);
  });

  it('suppresses small labels with a complement, and the rate computed from them', () => {
    const g = measureGroup(spec, { track: 'day' }, counts({ remission: 9, no_remission: 14, no_follow_up: 8, excluded: 3, window_open: 16 }), 11);
    if (!('initial_population' in g)) throw new Error('group suppressed whole');
    // exclusions 3 is small: hidden, and the next smallest of its row (window_open 16) with it.
    expect(g.exclusions).toBeNull();
    expect(g.window_open).toBeNull();
    expect(g.denominator).toBe(31);
    // remission 9 and no_follow_up 8 are small: both hidden, so the rate is too.
    expect(g.labels).toEqual({ remission: null, no_remission: 14, no_follow_up: null, excluded: null, window_open: null });
    expect(g.numerator).toBeNull();
    expect(g.rate).toBeNull();
    expect(g.suppressed).toEqual(expect.arrayContaining(['exclusions', 'window_open', 'labels.remission', 'labels.no_follow_up', 'numerator', 'rate', 'rate_ci']));
  });

  it('a group below min_cell is suppressed whole', () => {
    expect(measureGroup(spec, { track: 'day' }, counts({ remission: 5, no_remission: 5 }), 11)).toEqual({ key: { track: 'day' }, suppressed: ['all'] });
  });
});
