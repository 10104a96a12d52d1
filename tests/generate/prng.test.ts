import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, Weighted } from '../../tools/generate/prng';
import { spreadItems } from '../../tools/generate/scores';
import { parseIsoDay, isoDate, weekday, programHolidays, dayOf } from '../../tools/generate/calendar';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('the seeded generator', () => {
  it('repeats a stream exactly for the same (seed, stream, index)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(10), fc.nat(), (seed, stream, index) => {
        expect(draw(new Rng(seed, stream, index), 20)).toEqual(draw(new Rng(seed, stream, index), 20));
      }),
    );
  });

  it('gives unrelated streams to neighbouring indices and seeds', () => {
    const a = draw(new Rng(1, 2, 1000), 8);
    expect(draw(new Rng(1, 2, 1001), 8)).not.toEqual(a);
    expect(draw(new Rng(2, 2, 1000), 8)).not.toEqual(a);
    expect(draw(new Rng(1, 1, 1000), 8)).not.toEqual(a);
  });

  it('draws uniformly in [0, 1): each tenth gets about a tenth of 100,000 draws', () => {
    const rng = new Rng(7, 0, 0);
    const bins = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.next();
      if (u < 0 || u >= 1) outside++;
      const bin = Math.floor(u * 10);
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(450);
  });

  it('draws categories in proportion to their weights', () => {
    const mix = new Weighted([['a', 1], ['b', 3]] as const);
    const rng = new Rng(3, 0, 0);
    let b = 0;
    for (let i = 0; i < 20_000; i++) if (mix.draw(rng) === 'b') b++;
    expect(b / 20_000).toBeCloseTo(0.75, 1);
  });
});

describe('item scores', () => {
  it('always sum to the total with each item in 0–3', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 27 }), fc.nat(), (total, index) => {
        const items = spreadItems(new Rng(1, 9, index), total, 9, 3, 8);
        expect(items).toHaveLength(9);
        expect(items.reduce((a, x) => a + x, 0)).toBe(total);
        expect(items.every((x) => x >= 0 && x <= 3)).toBe(true);
      }),
    );
  });
});

describe('calendar', () => {
  it('round-trips dates and rejects impossible ones', () => {
    expect(isoDate(parseIsoDay('2024-02-29') ?? 0)).toBe('2024-02-29');
    expect(parseIsoDay('2025-02-29')).toBeNull();
    expect(parseIsoDay('2025-2-1')).toBeNull();
  });

  it('counts weekdays from Monday and finds US program holidays', () => {
    expect(weekday(parseIsoDay('2026-11-23') ?? 0)).toBe(0);
    const holidays = programHolidays(dayOf(2026, 1, 1), dayOf(2026, 12, 31));
    // 2026: Memorial Day 25 May, Labor Day 7 Sep, Thanksgiving 26 Nov.
    for (const d of ['2026-01-01', '2026-05-25', '2026-07-04', '2026-09-07', '2026-11-26', '2026-12-25']) {
      expect(holidays.has(parseIsoDay(d) ?? 0), d).toBe(true);
    }
  });
});

describe('the generator streams', () => {
  // Two generators keyed by the same (stream, index) would draw the same numbers: each needs its own stream.
  it('are distinct', async () => {
    const streams = [
      (await import('../../tools/generate/patient')).PATIENT_STREAM,
      (await import('../../tools/generate/episode')).EPISODE_STREAM,
      (await import('../../tools/generate/intake')).INTAKE_STREAM,
      (await import('../../tools/generate/followup-scores')).FOLLOWUP_SCORE_STREAM,
      (await import('../../tools/generate/followups')).FOLLOWUP_STREAM,
    ];
    expect(new Set(streams).size).toBe(streams.length);
  });
});
