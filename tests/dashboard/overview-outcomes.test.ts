// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ietChart } from '../../dashboard/src/charts/iet';
import { kmChart, medianLabelRows } from '../../dashboard/src/charts/km-curve';
import { outcomeChart, outcomePanels, type OutcomesInput } from '../../dashboard/src/charts/overview-outcomes';
import { relapseRateChart } from '../../dashboard/src/charts/relapse-rate';
import { fixtures, normalize } from './helpers';

const input = (): OutcomesInput => ({
  retention: fixtures.retention(),
  completion: fixtures.completion(),
  symptoms: fixtures.symptoms(),
  relapse: fixtures.relapse(),
  attendance: fixtures.attendance(),
  tracks: fixtures.tracks(),
});

/** The "<min_cell" markers a chart draws, by the row (group) they stand in. */
function markers(el: Element): { text: string | null; title: string | null }[] {
  return [...el.querySelectorAll('.suppressed-marker text')].map((t) => ({
    text: t.firstChild?.textContent ?? null,
    title: t.querySelector('title')?.textContent ?? null,
  }));
}

describe('overview small multiples (docs/metrics.md headline outcomes)', () => {
  it('draws six outcomes, every track in each, in the order a director reads them', () => {
    const panels = outcomePanels(input());
    expect(panels.map((p) => p.title)).toEqual([
      'Retained at day 30', 'Retained at the planned length', 'Completion', 'PHQ-9 reliable improvement', 'Abstinence (negative tests)', 'Engagement (IET)',
    ]);
    for (const p of panels) expect(p.rows.map((r) => r.group.replace(/ \(day \d+\)$/, ''))).toEqual(['Day IOP', 'Evening IOP', 'Weekend IOP']);
  });

  it('reads retention at each track\'s planned day, with its CI, and names the day', () => {
    const planned = outcomePanels(input())[1];
    expect(planned?.rows[0]).toMatchObject({ group: 'Day IOP (day 70)', rate: 0.6767, lower: 0.5957, upper: 0.7688 });
  });

  it('marks a suppressed track in place in every panel, with the rule as its tooltip', () => {
    for (const panel of outcomePanels(input())) {
      const el = outcomeChart(panel, 11);
      const m = markers(el);
      expect(m.length, panel.title).toBeGreaterThanOrEqual(1);
      expect(m.some((x) => x.text === '<11' && /Weekend IOP/.test(x.title ?? '') && /CMS small-cell/.test(x.title ?? '')), panel.title).toBe(true);
    }
  });

  for (const [i, name] of ['retention-30', 'retention-planned', 'completion', 'improvement', 'abstinence', 'engagement'].entries()) {
    it(`draws ${name} the same way from the fixture`, async () => {
      const panel = outcomePanels(input())[i];
      if (!panel) throw new Error('no panel');
      await expect(normalize(outcomeChart(panel, 11))).toMatchFileSnapshot(`__snapshots__/overview-${name}.svg`);
    });
  }
});

describe('suppression is always visible in the rate bars (issue: engagement bars were missing)', () => {
  it('IET keeps a group suppressed whole as a "<11" row, in both measures', () => {
    const data = fixtures.attendance();
    data.groups.push({ key: { track: 'tiny' }, suppressed: ['all'] });
    const m = markers(ietChart(data));
    expect(m.filter((x) => x.text === '<11' && /^tiny, (Initiation|Engagement)/.test(x.title ?? ''))).toHaveLength(2);
  });

  it('IET marks a withheld engagement rate of a shown group, and draws its initiation bar', () => {
    const data = fixtures.attendance();
    const g = data.groups.find((x) => 'engagement_rate' in x);
    if (!g || !('engagement_rate' in g)) throw new Error('fixture has no shown attendance group');
    g.engagement_rate = null;
    g.engagement_ci = null;
    g.suppressed = [...(g.suppressed ?? []), 'engaged', 'engagement_rate'];
    const m = markers(ietChart(data));
    expect(m.some((x) => x.text === '<11' && (x.title ?? '').includes(', Engagement: Suppressed'))).toBe(true);
  });

  it('a rate that is null but not suppressed is marked "n/a", never "<11"', () => {
    const data = fixtures.relapse();
    const g = data.groups.find((x) => 'relapse_rate' in x && x.relapse_rate !== null);
    if (!g || !('relapse_rate' in g)) throw new Error('fixture has no relapse rate');
    g.relapse_rate = null;
    g.suppressed = [];
    expect(markers(relapseRateChart(data)).some((x) => x.text === 'n/a')).toBe(true);
  });
});

describe('Kaplan–Meier median labels never overlap', () => {
  it('puts labels of close medians on separate rows and keeps distant ones on the first row', () => {
    // 2 px a day: 40, 41 and 42 d are 2 px apart (labels ≈ 35 px wide) → rows 0, 1, 2 in day order; 120 d is far → row 0.
    expect(medianLabelRows([{ median_days: 42 }, { median_days: 40 }, { median_days: 120 }, { median_days: 41 }], 2)).toEqual([2, 0, 0, 1]);
  });

  it('draws every median label of a chart with close medians without two boxes overlapping', () => {
    const data = fixtures.retention();
    const shown = data.groups.filter((g) => 'curve' in g);
    for (const [i, g] of shown.entries()) if ('median_days' in g) g.median_days = 30 + i;
    const el = kmChart(data);
    const labels = [...el.querySelectorAll('text')].filter((t) => /^\d+ d$/.test(t.textContent ?? ''));
    expect(labels.length).toBe(shown.length);
    const rowsOf = new Set(labels.map((t) => t.closest('g[transform]')?.getAttribute('transform')));
    expect(rowsOf.size).toBe(shown.length);
  });

  it('keeps a median past the end of its withheld tail inside the frame', () => {
    const data = fixtures.retention();
    const g = data.groups.find((x) => 'curve' in x && 'median_days' in x);
    if (!g || !('curve' in g) || !g.curve) throw new Error('fixture lacks a curve');
    const lastDay = Math.max(...data.groups.flatMap((x) => ('curve' in x && x.curve ? x.curve.map((p) => p.day) : [])));
    g.median_days = lastDay + 40;
    const el = kmChart(data);
    const ticks = [...el.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => Number(t.textContent));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(lastDay + 40);
  });
});

describe('reliable improvement panel', () => {
  it('draws the API’s improvement_rate with its Wilson CI, and marks a withheld one', () => {
    const data = input();
    const panel = outcomePanels(data).find((p) => p.name === 'overview-improvement');
    const day = data.symptoms.groups.find((g) => g.key.track === 'day');
    if (!panel || !day || !('improvement_ci' in day) || !day.improvement_ci) throw new Error('fixture lacks the day improvement CI');
    const row = panel.rows.find((r) => r.group === 'Day IOP');
    expect(row?.rate).toBe(day.improvement_rate);
    expect([row?.lower, row?.upper]).toEqual(day.improvement_ci);
    expect(panel.rows.find((r) => r.group.startsWith('Evening'))?.suppressed).toBe(true);
  });
});
