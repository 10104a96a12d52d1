import { describe, expect, it } from 'vitest';
import { Cells } from '../../metrics/cells';
import { bandIndex, severityBands } from '../../metrics/symptoms/bands';
import { scatterBins } from '../../metrics/symptoms/statistics';

describe('severity bands of the binned scatter (warehouse/rules.ts SEVERITY_BAND_POINTS, SEVERITY_MAX_BANDS)', () => {
  it('gives the published PHQ-9 severity bands (Kroenke, Spitzer & Williams 2001: 0–4, 5–9, 10–14, 15–19, 20–27)', () => {
    expect(severityBands(0, 27)).toEqual([[0, 4], [5, 9], [10, 14], [15, 19], [20, 27]]);
  });

  it('gives the published GAD-7 severity bands (Spitzer et al. 2006: 0–4, 5–9, 10–14, 15–21)', () => {
    expect(severityBands(0, 21)).toEqual([[0, 4], [5, 9], [10, 14], [15, 21]]);
  });

  it('widens the bands of a wide instrument (PCL-5, 0–80) to a multiple of 5 so there are at most 6', () => {
    expect(severityBands(0, 80)).toEqual([[0, 14], [15, 29], [30, 44], [45, 59], [60, 80]]);
  });

  it('puts a score in its band, moving at the band start (4 | 5, 19 | 20)', () => {
    const bands = severityBands(0, 27);
    expect([4, 5, 19, 20, 27].map((s) => bandIndex(bands, s))).toEqual([0, 1, 3, 4, 4]);
  });
});

describe('scatterBins', () => {
  const phq9 = { min_score: 0, max_score: 27 };
  const pairs = (cells: [number, number, number][]) => cells.map(([baseline, followup, n]) => ({ grp: 'day', baseline, followup, n }));

  it('lists every band × band cell and counts each pair once, at the band edges', () => {
    const cells = new Cells(0);
    const bins = scatterBins(pairs([[14, 4, 3], [15, 5, 2], [20, 20, 1]]), phq9, 6, cells);
    expect(bins).toHaveLength(25);
    const at = (b: number, f: number) => bins.find((c) => c.baseline[0] === b && c.followup[0] === f)?.n;
    expect(at(10, 0)).toBe(3);
    expect(at(15, 5)).toBe(2);
    expect(at(20, 20)).toBe(1);
    expect(bins.reduce((s, c) => s + (c.n ?? 0), 0)).toBe(6);
    expect(cells.list()).toEqual([]);
  });

  it('withholds a cell under min_cell and, when it is the only one, the smallest other non-zero cell', () => {
    const cells = new Cells(11);
    const bins = scatterBins(pairs([[14, 4, 30], [15, 5, 12], [20, 20, 4]]), phq9, 46, cells);
    const at = (b: number, f: number) => bins.find((c) => c.baseline[0] === b && c.followup[0] === f)?.n;
    expect(at(20, 20)).toBeNull();
    expect(at(15, 5)).toBeNull();
    expect(at(10, 0)).toBe(30);
    expect(at(0, 0)).toBe(0);
    expect(cells.list()).toContain('scatter_bins');
  });
});

describe('reliable improvement share', () => {
  const phq9 = { code: 'PHQ-9', higher_is_better: false, reliable_change_points: 6, reliability: null, norm_sd: null, clinical_cutoff: 10, remission_below: 5, min_score: 0, max_score: 27 };
  it('is (recovered + improved) / paired with its Wilson CI (Wilson 1927; 45 of 84: centre 0.53416, half-width 0.10431, so 0.42985–0.63847 by hand)', async () => {
    const { symptomsGroup } = await import('../../metrics/symptoms/statistics');
    // 30 recovered (15 → 4), 15 improved (9 → 2), 39 unchanged (12 → 12): 45 of 84
    const g = symptomsGroup({ pairs: [{ grp: 'day', baseline: 15, followup: 4, n: 30 }, { grp: 'day', baseline: 9, followup: 2, n: 15 }, { grp: 'day', baseline: 12, followup: 12, n: 39 }], withBaseline: 90, trajectory: [] }, phq9, { track: 'day' }, 90, 11);
    expect(g.improvement_rate).toBeCloseTo(45 / 84, 12);
    expect(g.improvement_ci?.[0]).toBeCloseTo(0.42985, 4);
    expect(g.improvement_ci?.[1]).toBeCloseTo(0.63847, 4);
  });

  it('is withheld when a class is, so that the class cannot come back from it', async () => {
    const { symptomsGroup } = await import('../../metrics/symptoms/statistics');
    // improved = 5 < 11 is withheld; recovered + improved = 35 would give it back
    const g = symptomsGroup({ pairs: [{ grp: 'day', baseline: 15, followup: 4, n: 30 }, { grp: 'day', baseline: 9, followup: 2, n: 5 }, { grp: 'day', baseline: 12, followup: 12, n: 49 }], withBaseline: 90, trajectory: [] }, phq9, { track: 'day' }, 90, 11);
    expect(g.classes.improved).toBeNull();
    expect(g.improvement_rate).toBeNull();
    expect(g.suppressed).toContain('improvement_rate');
  });
});
