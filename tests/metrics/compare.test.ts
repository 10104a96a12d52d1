import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustedParts } from '../../metrics/compare/adjusted';
import type { CompareEpisodeRow } from '../../metrics/compare/episodes';
import { countsByGroup, equityGroups } from '../../metrics/compare/equity';
import { parseCompare } from '../../metrics/compare/request';
import { fitLogistic } from '../../metrics/stats/logistic';

/** Synthetic episodes: `n` episodes of a unit, the first `events` with the outcome. */
function unit(key: string, n: number, events: number, extra: Partial<CompareEpisodeRow> = {}, seed = 0): CompareEpisodeRow[] {
  return Array.from({ length: n }, (_, i) => ({
    unit: key, y: i < events, baseline: 10 + ((i * 7 + seed) % 13), age: 20 + ((i * 11 + seed) % 40),
    sex: i % 2 ? 'female' : 'male', substance: i % 3 ? 'alcohol' : 'opioids', ...extra,
  }));
}

describe('adjusted comparison: units and suppression', () => {
  const rows = [...unit('a', 60, 30), ...unit('b', 45, 20, {}, 3), ...unit('c', 6, 3, {}, 5)];

  it('lists a unit below min cell as suppressed, still fitted into the model', () => {
    const parts = adjustedParts(rows, ['age', 'sex'], 'none', 11);
    expect(parts.units.map((u) => u.key)).toEqual(['a', 'b', 'c']);
    expect(parts.units[2]).toEqual({ key: 'c', suppressed: ['all'] });
    expect(parts.model.n).toBe(111);
  });

  it('hides a second unit whole when one unit alone is below min cell, since the model publishes the total n', () => {
    const parts = adjustedParts([...unit('a', 60, 30), ...unit('b', 45, 20, {}, 3), ...unit('e', 80, 40, {}, 1), ...unit('c', 6, 3, {}, 5)], ['age'], 'none', 11);
    expect(parts.units.filter((u) => !('n' in u)).map((u) => u.key)).toEqual(['b', 'c']);
    // Σn over the published units no longer gives the small unit's n.
    const shown = parts.units.reduce((s, u) => s + ('n' in u ? u.n : 0), 0);
    expect((parts.model.n ?? 0) - shown).toBe(51);
  });

  it('hides a second observed count when only one unit hides its own, since Σ E = Σ O publishes the total', () => {
    const parts = adjustedParts([...unit('a', 60, 30), ...unit('b', 45, 20, {}, 3), ...unit('d', 20, 4, {}, 2)], ['age'], 'none', 11);
    const hidden = parts.units.filter((u) => 'n' in u && u.observed === null).map((u) => u.key);
    expect(hidden).toEqual(['b', 'd']);
  });

  it('hides O/E of a unit whose observed count (or its complement) is small', () => {
    const parts = adjustedParts([...unit('a', 60, 30), ...unit('d', 20, 4, {}, 2)], ['age'], 'none', 11);
    const d = parts.units.find((u) => u.key === 'd');
    expect(d).toMatchObject({ n: 20, observed: null, oe: null, oe_ci: null, position: null });
    expect(d?.suppressed).toEqual(['observed', 'oe', 'oe_ci', 'position']);
  });

  it('withholds the model row of a categorical level with few episodes or events', () => {
    const few = unit('a', 60, 30).map((r, i) => (i < 5 ? { ...r, substance: 'stimulants', y: i < 2 } : r));
    const parts = adjustedParts([...few, ...unit('b', 50, 25, {}, 1)], ['age', 'substance'], 'none', 11);
    const stim = parts.model.coefficients.find((c) => c.term === 'substancestimulants');
    expect(stim).toMatchObject({ estimate: null, std_error: null, z: null, p: null });
    const opioids = parts.model.coefficients.find((c) => c.term === 'substanceopioids');
    expect(opioids?.estimate).not.toBeNull();
  });

  it('counts the episodes left out for a missing baseline or birth year', () => {
    const withGaps = unit('a', 40, 20).map((r, i) => (i < 3 ? { ...r, baseline: null } : i < 5 ? { ...r, age: null } : r));
    const parts = adjustedParts([...withGaps, ...unit('b', 40, 18, {}, 4)], ['baseline', 'age'], 'none', 0);
    expect(parts.notes).toEqual({ episodes: 80, without_baseline: 3, without_age: 2, modelled: 75 });
  });

  it('states the problem and prints no numbers when the model cannot be fitted', () => {
    const separated = [...unit('a', 30, 30, { sex: 'female' }), ...unit('b', 30, 0, { sex: 'male' })];
    const parts = adjustedParts(separated, ['sex'], 'none', 0);
    expect(parts.model.status).toBe('separation');
    expect(parts.model.message).toMatch(/separation/i);
    expect(parts.model.coefficients).toEqual([]);
    expect(parts.units.every((u) => !('oe' in u) || u.oe === null)).toBe(true);
  });

  it('does not name a small level, nor its outcome, when that level separates', () => {
    const rows = [...unit('a', 60, 30), ...unit('b', 50, 25, {}, 1)].map((r, i) => (i < 4 ? { ...r, sex: 'other', y: true } : r));
    const parts = adjustedParts(rows, ['age', 'sex'], 'none', 11);
    expect(parts.model.status).toBe('separation');
    expect(parts.model.message).not.toContain('other');
    expect(parts.model.message).toMatch(/fewer than 11 episodes/);
    // With suppression off (an analyst's min_cell 0), the level is named.
    expect(adjustedParts(rows, ['age', 'sex'], 'none', 0).model.message).toContain('sex = other');
  });

  it('never changes with the order of the episodes', () => {
    const base = adjustedParts(rows, ['baseline', 'age', 'sex', 'substance'], 'additive', 0);
    fc.assert(fc.property(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), (shuffled) => {
      const again = adjustedParts(shuffled, ['baseline', 'age', 'sex', 'substance'], 'additive', 0);
      again.model.coefficients.forEach((c, j) => expect(c.estimate).toBeCloseTo(base.model.coefficients[j]?.estimate ?? NaN, 9));
      again.units.forEach((u, j) => {
        const b = base.units[j];
        if ('expected' in u && b && 'expected' in b) expect(u.expected).toBeCloseTo(b.expected ?? NaN, 9);
      });
    }), { numRuns: 10 });
  });
});

describe('adjusted comparison: grouped binomial fit', () => {
  // Repeated covariate patterns across units, with both outcomes in most patterns.
  const rows = [...unit('a', 90, 41), ...unit('b', 70, 22, {}, 3), ...unit('c', 55, 37, {}, 5), ...unit('d', 40, 9, {}, 1)]
    .map((r, i) => ({ ...r, y: (i * 7) % 11 < 5, baseline: 10 + (i % 4), age: 20 + 10 * ((i >> 2) % 5), substance: ['alcohol', 'opioids', 'stimulants'][i % 3] ?? 'alcohol' }));

  it('equals the episode-level fit: coefficients, SEs, deviance, AIC, c-statistic and each unit E', () => {
    // Equal at the maximum likelihood; the two fits start IRLS from different μ (glm.fit's
    // start depends on the weights) and stop at the 1e-8 relative deviance change, so the
    // estimates agree to the 1e-4 of the R reference tests and the deviance much closer.
    // 255 episodes over at most 4 × 5 × 2 × 3 = 120 patterns, each shared by several units.
    expect(new Set(rows.map((r) => `${r.baseline} ${r.age} ${r.sex} ${r.substance}`)).size).toBeLessThanOrEqual(120);
    const adjustFor = ['baseline', 'age', 'sex', 'substance'] as const;
    const parts = adjustedParts(rows, adjustFor, 'none', 0);
    const episodeFit = fitLogistic(rows.map((r) => (r.y ? 1 : 0)), [
      { name: 'baseline', kind: 'numeric', values: rows.map((r) => r.baseline ?? 0) },
      { name: 'age', kind: 'numeric', values: rows.map((r) => r.age ?? 0) },
      { name: 'sex', kind: 'categorical', values: rows.map((r) => r.sex) },
      { name: 'substance', kind: 'categorical', values: rows.map((r) => r.substance) },
    ]);
    if (!episodeFit.ok) throw new Error(episodeFit.message);
    const m = parts.model;
    expect(m.status).toBe('ok');
    expect(m.coefficients.map((c) => c.term)).toEqual(episodeFit.coefficients.map((c) => c.term));
    m.coefficients.forEach((c, j) => {
      const e = episodeFit.coefficients[j];
      expect(c.estimate).toBeCloseTo(e?.estimate ?? NaN, 4);
      expect(c.std_error).toBeCloseTo(e?.std_error ?? NaN, 4);
    });
    expect(m.deviance).toBeCloseTo(episodeFit.deviance, 6);
    expect(m.null_deviance).toBeCloseTo(episodeFit.null_deviance, 9);
    expect(m.aic).toBeCloseTo(episodeFit.aic, 6);
    expect(m.c_statistic).toBeCloseTo(episodeFit.c_statistic, 9);
    expect(m.n).toBe(rows.length);
    const expected = new Map<string, number>();
    rows.forEach((r, i) => expected.set(r.unit, (expected.get(r.unit) ?? 0) + (episodeFit.fitted[i] ?? NaN)));
    for (const u of parts.units) {
      if (!('expected' in u)) throw new Error(`unit ${u.key} suppressed`);
      expect(u.expected).toBeCloseTo(expected.get(u.key) ?? NaN, 4);
    }
  });
});

describe('equity view', () => {
  const rows = [...unit('White', 80, 40), ...unit('Black', 40, 15), ...unit('Asian', 30, 21), ...unit('unknown', 90, 45), ...unit('Other', 5, 2)];

  it('uses the largest known group as the reference and lists unknown last', () => {
    const { reference, groups } = equityGroups(countsByGroup(rows), 11);
    expect(reference).toBe('White');
    expect(groups.map((g) => g.key)).toEqual(['Asian', 'Black', 'Other', 'White', 'unknown']);
    expect(groups[2]).toEqual({ key: 'Other', suppressed: ['all'] });
    const black = groups[1];
    expect(black && 'ratio' in black ? black.ratio : null).toBeCloseTo((15 / 40) / (40 / 80), 12);
  });

  it('gives the reference group a ratio of 1 and no interval', () => {
    const { groups } = equityGroups(countsByGroup(rows), 11);
    const white = groups.find((g) => g.key === 'White');
    expect(white).toMatchObject({ ratio: 1, ratio_ci: null });
  });

  it('publishes no ratio when the reference rate is suppressed', () => {
    const { groups } = equityGroups(countsByGroup([...unit('White', 80, 5), ...unit('Black', 40, 20)]), 11);
    for (const g of groups) if ('ratio' in g) {
      expect(g.ratio).toBeNull();
      expect(g.suppressed).toContain('ratio');
    }
  });
});

describe('compare request', () => {
  it('refuses an unknown covariate with the list of known ones', () => {
    const r = parseCompare('completion', { adjust_for: 'age,height' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.details[0]?.message).toContain('baseline, age, sex, substance');
  });

  it('adjusts for all four covariates by default and for none with adjust_for=none', () => {
    const all = parseCompare('completion', {});
    const none = parseCompare('completion', { adjust_for: 'none' });
    expect(all.ok && all.request.adjustFor).toEqual(['baseline', 'age', 'sex', 'substance']);
    expect(none.ok && none.request.adjustFor).toEqual([]);
  });
});
