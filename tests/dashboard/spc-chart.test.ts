// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { anhoejSentences, SPC_COLOURS, spcChart, spcRows } from '../../dashboard/src/charts/spc-chart';
import { qiPage } from '../../dashboard/src/pages/qi';
import { DEFAULT_STATE } from '../../dashboard/src/state';
import { fixtures, normalize } from './helpers';

// spc-completion.json is written by the product's SPC engine (metrics/stats/spc.ts, checked against qicharts2 in
// tests/stats/spc.test.ts): phase 1 (2025-01…12) has a shift (longest run 7 > 6) and too few crossings (1 < 2),
// 2025-05 is suppressed, phase 2 opens on 2026-01-01 and 2026-04 lies above its UCL, 2026-07 and 2026-08 are immature.
const circles = (el: Element) => [...el.querySelectorAll('g.spc-point circle')].map((c) => ({ period: (c.querySelector('title')?.textContent ?? '').slice(0, 7), fill: c.getAttribute('fill') }));

describe('SPC chart of the QI page', () => {
  it('colours each point by its signal: red outside the limits, orange in a phase with a run signal, blue otherwise', () => {
    const dots = circles(spcChart(fixtures.spcCompletion()));
    const fill = Object.fromEntries(dots.map((d) => [d.period, d.fill]));
    expect(fill['2026-04']).toBe(SPC_COLOURS.sigma);
    expect(fill['2025-01']).toBe(SPC_COLOURS.runs);
    expect(fill['2025-12']).toBe(SPC_COLOURS.runs);
    expect(fill['2026-02']).toBe(SPC_COLOURS.common);
  });

  it('recolours when the run signal goes: the phase-1 points turn blue', () => {
    const data = fixtures.spcCompletion();
    data.phases = data.phases.map((ph) => ({ ...ph, shift_signal: false, crossings_signal: false, runs_signal: false }));
    const fill = Object.fromEntries(circles(spcChart(data)).map((d) => [d.period, d.fill]));
    expect(fill['2025-01']).toBe(SPC_COLOURS.common);
    expect(spcChart(data).querySelector('g.spc-centre-signal path')).toBeNull();
  });

  it('never draws an immature period as a point: it sits on a grey band, labelled with the day it enters the chart', () => {
    const data = fixtures.spcCompletion();
    const el = spcChart(data);
    const periods = circles(el).map((d) => d.period);
    expect(data.immature.map((i) => i.period)).toEqual(['2026-07', '2026-08']);
    for (const young of data.immature) expect(periods).not.toContain(young.period);
    expect(el.querySelectorAll('g.spc-immature rect')).toHaveLength(2);
    const labels = [...el.querySelectorAll('g.spc-immature-label text')].map((t) => t.firstChild?.textContent);
    expect(labels).toEqual(data.immature.map((i) => `immature · enters ${i.matures_on}`));
    expect(spcRows(data).filter((r) => r.status === 'immature').map((r) => r.period)).toEqual(['2026-07', '2026-08']);
  });

  it('marks a suppressed period in place with "<min_cell" and the rule as its tooltip', () => {
    const el = spcChart(fixtures.spcCompletion());
    const markers = [...el.querySelectorAll('g.suppressed-marker text')];
    expect(markers).toHaveLength(1);
    expect(markers[0]?.textContent).toContain('<11');
    expect(markers[0]?.querySelector('title')?.textContent).toMatch(/^2025-05: Suppressed/);
    expect(circles(el).map((d) => d.period)).not.toContain('2025-05');
  });

  it('annotates the phase boundary with its change date, and draws the target line', () => {
    const el = spcChart(fixtures.spcCompletion());
    expect([...el.querySelectorAll('g.spc-phase-label text')].map((t) => t.textContent)).toEqual(['Phase 2 from 2026-01-01']);
    expect(el.querySelectorAll('g.spc-phase-boundary line')).toHaveLength(1);
    expect(el.querySelector('g.spc-target-label text')?.textContent).toBe('Target 37.7%');
  });

  it('spells out the Anhøj rules with the figures of each phase', () => {
    const data = fixtures.spcCompletion();
    const [p1, p2] = data.phases;
    if (!p1 || !p2) throw new Error('fixture has two phases');
    const one = anhoejSentences(data, p1).join(' ');
    expect(one).toContain('n = 11 useful points of 11');
    expect(one).toContain('Longest run on one side of the centre line: 7; the limit is 6');
    expect(one).toContain('SHIFT SIGNAL');
    expect(one).toContain('Crossings of the centre line: 1; at least 2 expected');
    expect(one).toContain('TOO FEW CROSSINGS');
    const two = anhoejSentences(data, p2).join(' ');
    expect(two).toContain('from the change on 2026-01-01');
    expect(two).toContain('no shift');
    expect(two).toContain('Points outside the 3-sigma limits: 1');
  });

  it('draws the page: the chart card, the rules under it, the notes, the definition from the response', () => {
    const data = fixtures.spcCompletion();
    const el = qiPage.view(data, { doc: document, state: { ...DEFAULT_STATE, page: 'qi' }, tracks: fixtures.tracks(), instruments: fixtures.instruments() });
    const card = el.querySelector('[data-testid="chart-spc"]');
    expect(card?.querySelector('h3')?.textContent).toBe('Completion (p-chart)');
    expect(card?.querySelectorAll('[data-testid="anhoej-rules"] li[data-phase]')).toHaveLength(2);
    expect(card?.querySelector('[data-testid="anhoej-rules"] .immature-note')?.textContent).toContain('2026-08 (enters on');
    expect(card?.querySelector('.spc-notes')?.textContent).toContain('immature');
    expect(card?.querySelector('details.definition p')?.textContent).toContain('Anhøj');
  });

  it('says which basis the periods are of: admission by default, discharge when the response says so', () => {
    const ctx = { doc: document, state: { ...DEFAULT_STATE, page: 'qi' as const }, tracks: fixtures.tracks(), instruments: fixtures.instruments() };
    const admission = qiPage.view(fixtures.spcCompletion(), ctx);
    expect(admission.textContent).toContain('Completion by admission month');
    expect(admission.textContent).toContain('Each point is one admission period.');
    const data = fixtures.spcCompletion();
    data.filters = { ...data.filters, period_basis: 'discharge' };
    const discharge = qiPage.view(data, { ...ctx, state: { ...ctx.state, spcBasis: 'discharge' } });
    expect(discharge.textContent).toContain('Completion by discharge month');
    expect(discharge.textContent).toContain('Each point is one discharge period.');
    expect(discharge.textContent).toContain('the current period, not yet ended (partial)');
  });

  it('draws the same markup from the fixture', async () => {
    await expect(normalize(spcChart(fixtures.spcCompletion()))).toMatchFileSnapshot('./__snapshots__/spc-chart.html');
  });
});
