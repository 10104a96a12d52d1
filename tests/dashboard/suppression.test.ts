// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { abstinenceByWeekChart } from '../../dashboard/src/charts/abstinence-by-week';
import { attendanceByWeekChart } from '../../dashboard/src/charts/attendance-by-week';
import { dischargeReasonsChart } from '../../dashboard/src/charts/discharge-reasons';
import { equityChart } from '../../dashboard/src/charts/equity';
import { funnelChart } from '../../dashboard/src/charts/funnel';
import { ietChart } from '../../dashboard/src/charts/iet';
import { jtClassesChart } from '../../dashboard/src/charts/jt-classes';
import { kmChart } from '../../dashboard/src/charts/km-curve';
import { outcomeChart, outcomePanels } from '../../dashboard/src/charts/overview-outcomes';
import { trajectoryChart } from '../../dashboard/src/charts/trajectory';
import { fixtures } from './helpers';

// Suppression is always visible (docs/metrics.md "Small-cell suppression"): every chart marks a withheld value in
// place, "<min_cell" with the rule as its tooltip, and never drops it silently. The fixtures hold the API's
// suppression: `weekend` is withheld whole everywhere; `evening` has engagement, completions, some weekly counts
// and some change classes withheld.
const RULE = /Suppressed: this cell rests on a count between 1 and 10\./;

/** The "<11" markers of a chart: [text, tooltip]. */
function markers(el: Element): [string, string][] {
  return [...el.querySelectorAll('.suppressed-marker text')].map((t) => [t.firstChild?.textContent ?? '', t.querySelector('title')?.textContent ?? '']);
}

function note(el: Element): string {
  return el.querySelector('.suppressed-note')?.textContent ?? '';
}

describe('suppressed values are marked in every chart', () => {
  it('Kaplan–Meier (retention): a track withheld whole is named under the curves with "<11"', () => {
    const el = kmChart(fixtures.retention());
    expect(note(el)).toBe('Not drawn, withheld under the small-cell rule (<11): weekend.');
    expect(el.querySelector('.suppressed-note abbr')?.getAttribute('title')).toMatch(RULE);
  });

  it('discharge reasons: a track withheld whole keeps its row with "<11"; withheld reasons are a grey "suppressed" segment', () => {
    const el = dischargeReasonsChart(fixtures.completion());
    expect(markers(el)).toEqual([['<11', expect.stringMatching(/^weekend: Suppressed/) as string]]);
    const titles = [...el.querySelectorAll('rect title')].map((t) => t.textContent);
    expect(titles.some((t) => t?.startsWith('evening: suppressed (<min cell)'))).toBe(true);
  });

  it('attendance by week: a withheld week is marked "<11" at its week, a withheld track named under the chart', () => {
    const el = attendanceByWeekChart(fixtures.attendance());
    const m = markers(el);
    expect(m.length).toBeGreaterThan(0);
    for (const [text, why] of m) {
      expect(text).toBe('<11');
      expect(why).toMatch(/^evening, week \d+: Suppressed/);
    }
    expect(note(el)).toContain('weekend');
  });

  it('engagement bars (IET): the withheld engagement rate keeps its bar row, marked "<11"', () => {
    const el = ietChart(fixtures.attendance());
    const m = markers(el).map(([, why]) => why.split(':')[0]);
    expect(m).toContain('evening, Engagement');
    expect(m).toContain('weekend, Initiation');
    expect(m).toContain('weekend, Engagement');
  });

  it('overview small multiples: each panel marks a withheld track "<11" in place', () => {
    const input = { retention: fixtures.retention(), completion: fixtures.completion(), symptoms: fixtures.symptoms(), relapse: fixtures.relapse(), attendance: fixtures.attendance() };
    for (const panel of outcomePanels(input)) {
      const el = outcomeChart(panel, 11);
      const m = markers(el);
      expect(m.map(([t]) => t), panel.name).toContain('<11');
      expect(m.some(([, why]) => why.startsWith('weekend')), panel.name).toBe(true);
    }
    const engagement = outcomePanels(input).find((p) => p.name === 'overview-engagement');
    if (!engagement) throw new Error('no engagement panel');
    expect(markers(outcomeChart(engagement, 11)).map(([, why]) => why.split(',')[0])).toEqual(['evening', 'weekend']);
  });

  it('Jacobson–Truax classes: a track withheld whole keeps its row with "<11"', () => {
    const el = jtClassesChart(fixtures.symptoms());
    expect(markers(el).map(([t, why]) => [t, why.split(':')[0]])).toEqual([['<11', 'weekend']]);
  });

  it('trajectory and abstinence by week: a track withheld whole is named under the chart', () => {
    expect(note(trajectoryChart(fixtures.symptoms()))).toContain('weekend');
    expect(note(abstinenceByWeekChart(fixtures.relapse()))).toContain('weekend');
  });

  it('compare: a unit withheld whole is named under the funnel; an equity group keeps its row, marked', () => {
    const adjusted = fixtures.compareClinician();
    const hidden = adjusted.units.filter((u) => !('n' in u)).map((u) => u.key);
    expect(hidden.length).toBeGreaterThan(0);
    const n = note(funnelChart(adjusted));
    for (const u of hidden) expect(n).toContain(u);
    const race = fixtures.compareRace();
    race.groups = [...race.groups, { key: 'Pacific Islander', suppressed: ['all'] }];
    const el = equityChart(race);
    expect([...el.querySelectorAll('text')].map((t) => t.textContent)).toContain(`suppressed (<${race.min_cell})`);
  });
});

describe('symptoms scatter falls back to binned counts', () => {
  it('draws the API’s baseline × follow-up band counts as a heat map when exact pairs would hide small cells, withheld cells marked', async () => {
    const { jtScatterChart, jtScatterRows, usesBins } = await import('../../dashboard/src/charts/jt-scatter');
    const data = fixtures.symptoms();
    expect(usesBins(data)).toBe(false);
    // every exact pair under min_cell: the API drops them all and lists `scatter` as suppressed
    data.groups = data.groups.map((g) => ('n' in g ? { ...g, scatter: [], suppressed: [...(g.suppressed ?? []), 'scatter'] } : g));
    expect(usesBins(data)).toBe(true);
    const el = jtScatterChart(data);
    expect(el.querySelector('.empty-state')).toBeNull();
    const day = data.groups.find((g) => g.key.track === 'day');
    if (!day || !('scatter_bins' in day)) throw new Error('fixture day group has no bins');
    // one cell per band pair and group, the withheld ones grey with "<11"
    const drawn = el.querySelectorAll('g[aria-label="cell"] rect').length;
    expect(drawn).toBe(2 * day.scatter_bins.length);
    const m = markers(el);
    expect(m.length).toBe(day.scatter_bins.filter((c) => c.n === null).length + 2);
    expect(m.every(([t, why]) => t === '<11' && /^(day|evening), baseline \d+–\d+, follow-up \d+–\d+: Suppressed/.test(why))).toBe(true);
    expect(note(el)).toContain('weekend');
    const rows = jtScatterRows(data);
    expect(rows[0]).toEqual({ group: 'day', baseline: '0–4', followup: '0–4', n: 0 });
  });
});
