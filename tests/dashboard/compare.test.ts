// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { compareModelDefinition, equityDefinition, funnelDefinition } from '../../dashboard/src/chart-definitions';
import { equityChart, equityRows } from '../../dashboard/src/charts/equity';
import { boxesOverlap, funnelChart, funnelRows, layoutLabels, unitTable } from '../../dashboard/src/charts/funnel';
import { modelTable, WITHHELD_NOTE } from '../../dashboard/src/charts/model-table';
import { comparePage, outsideDenominator } from '../../dashboard/src/pages/compare';
import { DEFAULT_STATE } from '../../dashboard/src/state';
import { fixtures, normalize } from './helpers';

// The Compare page (docs/comparisons.md) from real API answers on the seeded program
// (tests/fixtures/api/compare-*.json, kept current by tests/api/compare-fixtures.test.ts).

const charts: [string, () => Element][] = [
  ['funnel', () => funnelChart(fixtures.compareClinician())],
  ['funnel-units', () => unitTable(fixtures.compareClinician())],
  ['model-table', () => modelTable(fixtures.compareClinician().model)],
  ['equity-race', () => equityChart(fixtures.compareRace())],
  ['equity-ethnicity', () => equityChart(fixtures.compareEthnicity())],
];

describe('Compare chart snapshots (jsdom, TZ=UTC)', () => {
  for (const [name, draw] of charts) {
    it(`draws ${name} the same way from the fixture`, async () => {
      const el = draw();
      expect(el.querySelector('.empty-state') ?? (el.classList.contains('empty-state') ? el : null)).toBeNull();
      await expect(normalize(el)).toMatchFileSnapshot(`./__snapshots__/${name}.html`);
    });

    it(`draws ${name} identically twice (pure)`, () => {
      expect(normalize(draw())).toBe(normalize(draw()));
    });
  }
});

describe('funnel plot', () => {
  it('draws one dot per unit with an O/E, and the four limit curves from funnel.curve', () => {
    const data = fixtures.compareClinician();
    const drawn = data.units.filter((u) => 'oe' in u && u.oe !== null);
    expect(drawn.length).toBeGreaterThanOrEqual(3);
    const el = funnelChart(data);
    expect(el.querySelectorAll('g[aria-label="dot"] circle').length).toBe(drawn.length);
    expect(el.querySelectorAll('g[aria-label="line"] path').length).toBe(4);
    const labels = [...el.querySelectorAll('g[aria-label="text"] text')].map((t) => t.textContent);
    for (const u of drawn) expect(labels).toContain(u.key);
  });

  it('colours dots by their position and names the positions in the legend', () => {
    const el = funnelChart(fixtures.compareClinician());
    expect(el.textContent).toContain('Within 95% limits');
  });

  it('lists every unit in the API order, the suppressed ones in place as "suppressed (<min cell)"', () => {
    const data = fixtures.compareClinician();
    const rows = funnelRows(data);
    expect(rows.map((r) => r.unit)).toEqual(data.units.map((u) => u.key));
    const whole = data.units.filter((u) => !('n' in u)).map((u) => u.key);
    expect(whole.length).toBeGreaterThan(0);
    const table = unitTable(data);
    for (const key of whole) {
      const tr = table.querySelector(`tr[data-unit="${key}"]`);
      expect(tr?.getAttribute('data-suppressed')).toBe('all');
      expect(tr?.textContent).toContain(`suppressed (<${data.min_cell})`);
    }
    // A unit whose observed count is hidden shows n and E, and says its position is suppressed.
    const partial = rows.find((r) => r.n !== null && r.oe === null);
    expect(partial?.position).toBe(`suppressed (<${data.min_cell})`);
  });

  it('never lets two labels overlap, however close the dots are', () => {
    const points = Array.from({ length: 40 }, (_, i) => ({ unit: `clinician-${i % 7}${i}`, x: 100 + (i % 3) * 5, y: 200 + (i % 4) }));
    const boxes = layoutLabels(points);
    expect(boxes).toHaveLength(40);
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => expect(boxesOverlap(a, b), `${a.unit} / ${b.unit}`).toBe(false)));
  });

  it('says so instead of drawing when no unit has an O/E (the model failed)', () => {
    const data = fixtures.compareClinician();
    data.units = data.units.map((u) => ('n' in u ? { ...u, observed: null, oe: null, oe_ci: null, position: null } : u));
    const el = funnelChart(data);
    expect(el.classList.contains('empty-state') || el.querySelector('.empty-state') !== null).toBe(true);
  });
});

describe('model table', () => {
  it('shows every coefficient with its estimate, SE, z and p, and the fit statistics', () => {
    const model = fixtures.compareClinician().model;
    const el = modelTable(model);
    const rows = [...el.querySelectorAll('table.model-table tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-term'))).toEqual(model.coefficients.map((c) => c.term));
    const sex = el.querySelector('tr[data-term="sexmale"]');
    // estimate −1.514, SE 0.609, z −2.49, p 0.013 in the fixture (R's glm would print the same to 3 decimals).
    expect([...(sex?.querySelectorAll('td') ?? [])].map((td) => td.textContent)).toEqual(['-1.514', '0.609', '-2.49', '0.013']);
    const fit = el.querySelector('table.model-fit')?.textContent ?? '';
    for (const word of ['Residual deviance', 'Null deviance', 'AIC', 'c-statistic']) expect(fit).toContain(word);
    expect(fit).toContain(`${model.aic?.toFixed(2)}`);
    // Nothing is withheld from an analyst here, so there is no note about withheld values.
    expect(el.querySelector('.model-note')?.textContent).not.toContain(WITHHELD_NOTE);
  });

  it('shows a withheld value as "–" with a note saying why', () => {
    const model = fixtures.compareClinician().model;
    model.deviance = null;
    model.df_residual = null;
    model.coefficients = model.coefficients.map((c) => (c.term === 'sexmale' ? { ...c, estimate: null, std_error: null, z: null, p: null, suppressed: ['estimate', 'std_error', 'z', 'p'] } : c));
    const el = modelTable(model);
    expect([...(el.querySelector('tr[data-term="sexmale"]')?.querySelectorAll('td') ?? [])].map((td) => td.textContent)).toEqual(['–', '–', '–', '–']);
    expect(el.querySelector('table.model-fit')?.textContent).toContain('Residual deviance–');
    expect(el.querySelector('.model-note')?.textContent).toContain(WITHHELD_NOTE);
  });

  it('gives the plain-words message and no numbers when the model could not be fitted', () => {
    const model = fixtures.compareClinician().model;
    const message = 'every episode with substance = stimulants dropped out, so the model separates perfectly';
    const failed = { ...model, status: 'separation' as const, message, deviance: null, aic: null, c_statistic: null,
      coefficients: model.coefficients.map((c) => ({ ...c, estimate: null, std_error: null, z: null, p: null })) };
    const el = modelTable(failed);
    expect(el.querySelector('.model-message')?.textContent).toContain(message);
    expect(el.querySelector('table')).toBeNull();
  });
});

describe('equity chart', () => {
  it('draws each group’s rate and ratio with their CIs, the reference at 1', () => {
    const data = fixtures.compareEthnicity();
    const rows = equityRows(data);
    expect(rows.find((r) => r.group === data.reference)?.ratio).toBe(1);
    const el = equityChart(data);
    const svgs = el.querySelectorAll(':scope > svg');
    expect(svgs).toHaveLength(2);
    expect(svgs[0]?.querySelectorAll('g[aria-label="dot"] circle').length).toBe(rows.filter((r) => r.rate !== null).length);
  });

  it('marks a suppressed group in place rather than leaving it out', () => {
    const data = fixtures.compareRace();
    data.groups = [...data.groups, { key: 'Pacific Islander', suppressed: ['all'] }];
    const el = equityChart(data);
    expect(equityRows(data).map((r) => r.group)).toEqual(data.groups.map((g) => g.key));
    expect(el.textContent).toContain('Pacific Islander');
    expect(el.textContent).toContain(`suppressed (<${data.min_cell})`);
  });
});

describe('the definitions under the Compare charts', () => {
  it('are made of the definition block the response carries, never a dashboard copy', () => {
    const a = fixtures.compareClinician();
    const d = a.definition as { outcome: { event: string }; expected: string; funnel: { limits: string }; model: { method: string }; covariates: { age: string } };
    const funnel = funnelDefinition(a);
    for (const part of [d.outcome.event, d.expected, d.funnel.limits]) expect(funnel).toContain(part);
    const model = compareModelDefinition(a);
    for (const part of [d.model.method, d.covariates.age]) expect(model).toContain(part);
    const e = fixtures.compareRace();
    expect(equityDefinition(e)).toContain((e.definition as { ratio: string }).ratio);
    for (const text of [funnel, model, equityDefinition(e)]) expect(text).not.toMatch(/undefined|null/);
  });

  it('follows a changed definition block (a moved rule reaches the page with no dashboard change)', () => {
    const a = fixtures.compareClinician();
    (a.definition as { expected: string }).expected = 'E = something else entirely';
    expect(funnelDefinition(a)).toContain('E = something else entirely');
  });
});

describe('Compare page', () => {
  it('asks the API for the chosen unit and for race and ethnicity, and draws the funnel, model and equity cards', async () => {
    const calls: string[] = [];
    const api = {
      compare: async (outcome: string, params: URLSearchParams) => {
        calls.push(`${outcome}?${params.toString()}`);
        const by = params.get('by');
        return by === 'race' ? fixtures.compareRace() : by === 'ethnicity' ? fixtures.compareEthnicity() : fixtures.compareClinician();
      },
    } as unknown as Parameters<typeof comparePage.load>[0];
    const state = { ...DEFAULT_STATE, page: 'compare' as const, compareOutcome: 'completion' as const, compareBy: 'clinician' as const, tracks: ['day'] };
    const data = await comparePage.load(api, state);
    expect(calls).toEqual([
      'completion?track=day&instrument=PHQ-9&by=clinician',
      'completion?track=day&instrument=PHQ-9&by=race',
      'completion?track=day&instrument=PHQ-9&by=ethnicity',
    ]);
    const el = comparePage.view(data, { doc: document, state, tracks: fixtures.tracks(), instruments: fixtures.instruments() });
    for (const id of ['chart-funnel', 'chart-model', 'chart-equity-race', 'chart-equity-ethnicity']) expect(el.querySelector(`[data-testid="${id}"]`), id).not.toBeNull();
  });
});

describe('Compare page for a standard measure', () => {
  it('says how many episodes lie outside the measure\'s denominator, and that a small count is withheld', async () => {
    const measure = { ...fixtures.compareClinician(), comparison: 'dep-rem-6' as const };
    const api = {
      compare: async (_outcome: string, params: URLSearchParams) => {
        const by = params.get('by');
        if (by === 'race') return fixtures.compareRace();
        if (by === 'ethnicity') return fixtures.compareEthnicity();
        return { ...measure, notes: { ...measure.notes, excluded: 12, window_open: 30 } };
      },
    } as unknown as Parameters<typeof comparePage.load>[0];
    const state = { ...DEFAULT_STATE, page: 'compare' as const, compareOutcome: 'dep-rem-6' as const, compareBy: 'clinician' as const };
    const el = comparePage.view(await comparePage.load(api, state), { doc: document, state, tracks: fixtures.tracks(), instruments: fixtures.instruments() });
    expect(el.textContent).toContain('Depression remission at 6 months (DEP-REM-6) by clinician');
    expect(el.textContent).toContain('Outside the measure’s denominator and left out: 12 excluded, 30 whose window is still open.');
    expect(outsideDenominator({ excluded: null, window_open: null })).toContain('withheld (small-cell rule) excluded');
    // Other outcomes carry no such notes, and the page says nothing about them.
    expect(outsideDenominator(fixtures.compareClinician().notes)).toBe('');
  });
});
