// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiError, type Api } from '../../dashboard/src/api';
import { startApp } from '../../dashboard/src/app';
import type { Me, MetricName, MetricResponses } from '../../dashboard/src/types';
import { fixtures } from './helpers';

interface Harness {
  root: HTMLElement;
  urls: [string, string][];
  metricCalls: string[];
  signedIn: () => boolean;
}

function fakeApi(me: Me, h: { metricCalls: string[]; lists?: Promise<void> }): { api: Api; signedIn: () => boolean } {
  let session = false;
  const responses: { [M in MetricName]: () => MetricResponses[M] } = {
    retention: fixtures.retention,
    completion: fixtures.completion,
    attendance: fixtures.attendance,
    symptoms: fixtures.symptoms,
    relapse: fixtures.relapse,
  };
  const api: Api = {
    me: async () => {
      if (!session) throw new ApiError(401, 'unauthorized');
      return me;
    },
    tracks: async () => fixtures.tracks(),
    instruments: async () => fixtures.instruments(),
    sites: async () => {
      await h.lists;
      return fixtures.sites();
    },
    clinicians: async () => {
      await h.lists;
      return fixtures.clinicians();
    },
    dimensionValues: async () => {
      await h.lists;
      return fixtures.dimensionValues();
    },
    metric: async (name, params) => {
      h.metricCalls.push(`${name}?${params.toString()}`);
      return name === 'completion' && params.get('group_by') === 'period' ? (fixtures.completionMonthly() as MetricResponses[typeof name]) : responses[name]();
    },
    compare: async (outcome, params) => {
      h.metricCalls.push(`compare/${outcome}?${params.toString()}`);
      const by = params.get('by');
      return by === 'race' ? fixtures.compareRace() : by === 'ethnicity' ? fixtures.compareEthnicity() : fixtures.compareClinician();
    },
    spc: async (series, params) => {
      h.metricCalls.push(`spc/${series}?${params.toString()}`);
      return fixtures.spcCompletion();
    },
    measure: async (name, params) => {
      h.metricCalls.push(`measures/${name}?${params.toString()}`);
      if (name === 'noms') return fixtures.noms();
      if (name === 'followup-6m') return params.get('period') === 'month' ? fixtures.followupMonthly() : fixtures.followup();
      return name === 'dep-rem-6' ? fixtures.measureRem6() : { ...fixtures.measureRem6(), measure: name };
    },
    measureRowsCsv: async () => 'episode_id\r\n',
    progressBands: async (instrument) => {
      h.metricCalls.push(`progress/bands?instrument=${instrument}`);
      return me.role === 'viewer' ? fixtures.progressBandsViewer() : fixtures.progressBands();
    },
    progressAlerts: async (params) => {
      h.metricCalls.push(`progress/alerts?${params.toString()}`);
      if (me.role === 'viewer') throw new ApiError(403, 'forbidden');
      return fixtures.progressAlerts();
    },
    progressEpisode: async (id, params) => {
      h.metricCalls.push(`progress/episodes/${id}?${params.toString()}`);
      if (me.role === 'viewer') throw new ApiError(403, 'forbidden');
      return fixtures.progressEpisode();
    },
    signIn: async (username, password) => {
      if (password !== 'right') throw new ApiError(401, 'invalid credentials');
      session = username !== '';
    },
    useToken: () => undefined,
    signOut: async () => {
      session = false;
    },
    reportUrl: () => '/api/v1/report?format=html',
  };
  return { api, signedIn: () => session };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

async function boot(me: Me, search = '', lists?: Promise<void>): Promise<Harness> {
  document.body.innerHTML = '<div id="app"></div>';
  const root = document.getElementById('app') as HTMLElement;
  const urls: [string, string][] = [];
  const metricCalls: string[] = [];
  const { api, signedIn } = fakeApi(me, { metricCalls, lists });
  let current = search;
  await startApp({
    doc: document,
    root,
    api,
    search: () => current,
    navigate: (s, mode) => {
      current = s;
      urls.push([mode, s]);
    },
    print: () => undefined,
  });
  return { root, urls, metricCalls, signedIn };
}

function byTestId<T extends HTMLElement>(root: ParentNode, id: string): T {
  const el = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`missing data-testid=${id}`);
  return el;
}

async function signIn(root: HTMLElement, password: string): Promise<void> {
  byTestId<HTMLInputElement>(root, 'signin-username').value = 'director';
  byTestId<HTMLInputElement>(root, 'signin-password').value = password;
  byTestId<HTMLFormElement>(root, 'signin-form').dispatchEvent(new Event('submit', { cancelable: true }));
  await settle();
}

const analyst: Me = { username: 'director', role: 'analyst', tracks: null, sites: null };

describe('dashboard app wiring (fake API)', () => {
  it('asks for sign-in, says so on a wrong password, and shows the overview after the right one', async () => {
    const h = await boot(analyst);
    expect(byTestId(h.root, 'signin-submit').textContent).toBe('Sign in');
    await signIn(h.root, 'wrong');
    expect(byTestId(h.root, 'signin-error').textContent).toBe('Wrong username or password.');
    await signIn(h.root, 'right');
    expect(byTestId(h.root, 'overview-table').querySelectorAll('tbody tr')).toHaveLength(3);
    expect(h.root.querySelector('[data-suppressed="true"]')?.textContent).toBe('<11');
  });

  it('draws every chart of every page with its definition and CSV button', async () => {
    const pages: [string, string[]][] = [
      ['retention', ['km-retention', 'discharge-reasons']],
      ['symptoms', ['trajectory', 'jt-classes', 'jt-scatter']],
      ['relapse', ['abstinence-by-week', 'relapse-rate', 'km-relapse']],
      ['attendance', ['attendance-by-week', 'iet', 'p-chart']],
      ['qi', ['spc']],
    ];
    for (const [page, charts] of pages) {
      const h = await boot(analyst, `?page=${page}`);
      await signIn(h.root, 'right');
      for (const c of charts) {
        const card = byTestId(h.root, `chart-${c}`);
        expect(card.querySelector('svg'), `${page}/${c}`).not.toBeNull();
        expect(card.querySelector('details.definition summary')?.textContent).toBe('Definition');
        // the response's own sentences (definition.text), never a copy kept in the dashboard
        expect(card.querySelector('details.definition p')?.textContent, `${page}/${c}`).toMatch(/^[A-Z].*\.$/s);
        expect(card.querySelector('.how-to')?.textContent).not.toBe('');
        byTestId(card, `download-csv-${c}`);
      }
    }
  });

  it('moves between pages with pushState and keeps the filters in the URL', async () => {
    const h = await boot(analyst, '?track=day');
    await signIn(h.root, 'right');
    byTestId(h.root, 'nav-retention').click();
    await settle();
    expect(h.urls.at(-1)).toEqual(['push', '?page=retention&track=day']);
    byTestId(h.root, 'chart-km-retention');
    expect(h.metricCalls.at(-1)).toBe('completion?track=day&group_by=track');
  });

  it('refetches and rewrites the URL with replaceState when a filter changes', async () => {
    const h = await boot(analyst, '?page=relapse');
    await signIn(h.root, 'right');
    const box = byTestId<HTMLInputElement>(h.root, 'filter-track-evening');
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await settle();
    expect(h.urls.at(-1)).toEqual(['replace', '?page=relapse&track=evening']);
    expect(h.metricCalls.at(-1)).toBe('relapse?track=evening&group_by=track');
    const groupBy = byTestId<HTMLSelectElement>(h.root, 'filter-group-by');
    groupBy.value = 'sex';
    groupBy.dispatchEvent(new Event('change'));
    await settle();
    expect(h.urls.at(-1)).toEqual(['replace', '?page=relapse&track=evening&group_by=sex']);
  });

  it('offers the scoped sites and clinicians and the patient filters; a choice goes to every request of the page and into the URL', async () => {
    const h = await boot(analyst, '?page=retention');
    await signIn(h.root, 'right');
    const site = byTestId<HTMLSelectElement>(h.root, 'filter-site');
    expect([...site.options].map((o) => [o.value, o.textContent])).toEqual([['NORTH', 'North Clinic'], ['SOUTH', 'South Clinic']]);
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-clinician').options].map((o) => o.value)).toEqual(['C01', 'C02']);
    (site.options[1] as HTMLOptionElement).selected = true;
    site.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.slice(-2)).toEqual(['retention?site=SOUTH&group_by=track', 'completion?site=SOUTH&group_by=track']);
    expect(h.urls.at(-1)).toEqual(['replace', '?page=retention&site=SOUTH']);
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-site').selectedOptions].map((o) => o.value)).toEqual(['SOUTH']);

    const sex = byTestId<HTMLSelectElement>(h.root, 'filter-sex');
    expect([...sex.options].map((o) => o.value)).toEqual(['female', 'male', 'other', 'unknown']);
    (sex.options[0] as HTMLOptionElement).selected = true;
    sex.dispatchEvent(new Event('change'));
    await settle();
    const race = byTestId<HTMLInputElement>(h.root, 'filter-race');
    // the recorded values (GET /dimension-values) are suggested as a datalist; any value may still be typed
    expect(race.getAttribute('list')).toBe('filter-race-values');
    expect([...byTestId(h.root, 'filter-race-values').querySelectorAll('option')].map((o) => o.value)).toEqual(['asian', 'black or african american', 'unknown', 'white']);
    expect([...byTestId(h.root, 'filter-substance-values').querySelectorAll('option')].map((o) => o.value)).toEqual(['alcohol', 'cannabis', 'opioids', 'stimulants']);
    race.value = ' white ,  black or african american,white';
    race.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('completion?site=SOUTH&sex=female&race=white&race=black+or+african+american&group_by=track');
    // the patient filters stay open while one is set
    expect(byTestId<HTMLDetailsElement>(h.root, 'filter-patient').open).toBe(true);
    expect(byTestId(h.root, 'filter-patient').querySelector('summary')?.textContent).toBe('Patient filters (2)');
  });

  it('draws the page without waiting for the site and clinician lists, and adds their filters when they arrive', async () => {
    let release = () => undefined as void;
    const lists = new Promise<void>((r) => (release = r));
    const h = await boot(analyst, '?page=relapse&site=SOUTH', lists);
    await signIn(h.root, 'right');
    expect(h.metricCalls).toEqual(['relapse?site=SOUTH&group_by=track']);
    expect(h.root.querySelector('[data-testid="chart-relapse-rate"]')).not.toBeNull();
    // the URL's site is offered (and selected) even before the list arrives
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-site').options].map((o) => o.value)).toEqual(['SOUTH']);
    expect(h.root.querySelector('[data-testid="filter-clinician"]')).toBeNull();
    release();
    await settle();
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-site').selectedOptions].map((o) => o.value)).toEqual(['SOUTH']);
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-site').options].map((o) => o.value)).toEqual(['NORTH', 'SOUTH']);
    expect([...byTestId<HTMLSelectElement>(h.root, 'filter-clinician').options].map((o) => o.value)).toEqual(['C01', 'C02']);
    expect(h.metricCalls).toHaveLength(1);
  });

  it('groups two ways: the second dimension goes to group_by as the API reads it and never repeats the first', async () => {
    const h = await boot(analyst, '?page=relapse');
    await signIn(h.root, 'right');
    const first = byTestId<HTMLSelectElement>(h.root, 'filter-group-by');
    expect([...first.options].map((o) => o.value)).toEqual(['track', 'period', 'sex', 'age_band', 'substance', 'site', 'clinician', 'race', 'ethnicity']);
    const second = byTestId<HTMLSelectElement>(h.root, 'filter-group-by-2');
    expect([...second.options].map((o) => o.value)).not.toContain('track');
    second.value = 'race';
    second.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('relapse?group_by=track%2Crace');
    expect(h.urls.at(-1)).toEqual(['replace', '?page=relapse&group_by=track%2Crace']);
    const again = byTestId<HTMLSelectElement>(h.root, 'filter-group-by');
    again.value = 'race';
    again.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('relapse?group_by=race');
    // the overview stays one row per track whatever the grouping, and offers no grouping
    const o = await boot(analyst, '?group_by=site,race&site=NORTH');
    await signIn(o.root, 'right');
    expect(o.metricCalls.every((c) => c.includes('site=NORTH&group_by=track') && !c.includes('race'))).toBe(true);
    expect(o.root.querySelector('[data-testid="filter-group-by"]')).toBeNull();
    expect(o.root.querySelector('[data-testid="filter-site"]')).not.toBeNull();
  });

  it('Progress page: offers the clinician filter only (the alerts take tracks and clinicians) and sends it', async () => {
    const h = await boot(analyst, '?page=progress&clinician=C02&site=NORTH');
    await signIn(h.root, 'right');
    expect(h.metricCalls).toContain('progress/alerts?clinician=C02&instrument=PHQ-9');
    expect(h.root.querySelector('[data-testid="filter-clinician"]')).not.toBeNull();
    for (const id of ['filter-site', 'filter-patient', 'filter-group-by']) expect(h.root.querySelector(`[data-testid="${id}"]`), id).toBeNull();
  });

  it('QI page: the series, period, Laney and change dates go to GET /spc/{series} and into the URL', async () => {
    const h = await boot(analyst, '?page=qi&track=day');
    await signIn(h.root, 'right');
    expect(h.metricCalls.at(-1)).toBe('spc/completion?track=day&period=month');
    expect(h.root.querySelector('[data-testid="filter-group-by"]')).toBeNull();
    const series = byTestId<HTMLSelectElement>(h.root, 'filter-series');
    series.value = 'no-show';
    series.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('spc/no-show?track=day&period=month');
    // no-show has no outcome known at discharge: no basis control
    expect(h.root.querySelector('[data-testid="filter-spc-basis"]')).toBeNull();
    const laney = byTestId<HTMLInputElement>(h.root, 'filter-laney');
    laney.checked = true;
    laney.dispatchEvent(new Event('change'));
    await settle();
    const split = byTestId<HTMLInputElement>(h.root, 'filter-split');
    split.value = '2026-01-01, 2025-06-01';
    split.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('spc/no-show?track=day&period=month&laney=true&split=2025-06-01&split=2026-01-01');
    expect(h.urls.at(-1)).toEqual(['replace', '?page=qi&track=day&series=no-show&laney=true&split=2025-06-01&split=2026-01-01']);
    const bad = byTestId<HTMLInputElement>(h.root, 'filter-split');
    bad.value = '2026-13-01';
    bad.dispatchEvent(new Event('change'));
    await settle();
    expect(byTestId(h.root, 'filter-split-error').textContent).toBe('Not a date (YYYY-MM-DD): 2026-13-01');
    expect(h.metricCalls.at(-1)).toContain('split=2026-01-01');
  });

  it('QI page: the periods-by control charts completion by discharge period (period_basis) and keeps it in the URL', async () => {
    const h = await boot(analyst, '?page=qi&track=day');
    await signIn(h.root, 'right');
    const basis = byTestId<HTMLSelectElement>(h.root, 'filter-spc-basis');
    expect([...basis.options].map((o) => o.value)).toEqual(['admission', 'discharge']);
    basis.value = 'discharge';
    basis.dispatchEvent(new Event('change'));
    await settle();
    expect(h.metricCalls.at(-1)).toBe('spc/completion?track=day&period=month&period_basis=discharge');
    expect(h.urls.at(-1)).toEqual(['replace', '?page=qi&track=day&spc_basis=discharge']);
    expect(byTestId<HTMLSelectElement>(h.root, 'filter-spc-basis').value).toBe('discharge');
  });

  it('offers a viewer only its own tracks and drops others from a shared link', async () => {
    const h = await boot({ username: 'lead', role: 'viewer', tracks: ['evening'], sites: null }, '?page=relapse&track=day&track=evening');
    await signIn(h.root, 'right');
    expect([...h.root.querySelectorAll('[data-testid^="filter-track-"]')].map((e) => e.getAttribute('data-testid'))).toEqual(['filter-track-evening']);
    expect(h.metricCalls.at(-1)).toBe('relapse?track=evening&group_by=track');
  });

  it('shows an API error as a message, never a blank page', async () => {
    document.body.innerHTML = '<div id="app"></div>';
    const root = document.getElementById('app') as HTMLElement;
    const { api } = fakeApi(analyst, { metricCalls: [] });
    await api.signIn('x', 'right');
    api.metric = async () => {
      throw new ApiError(400, 'from must not be after to');
    };
    await startApp({ doc: document, root, api, search: () => '?from=2026-05-01&to=2026-01-01', navigate: () => undefined, print: () => undefined });
    expect(byTestId(root, 'error').textContent).toMatch(/400: from must not be after to/);
    byTestId(root, 'nav-overview');
  });
});

describe('the Progress page (fake API)', () => {
  const clinician: Me = { username: 'cleo', role: 'clinician', tracks: null, sites: null, clinician_id: 'c1' };
  const viewer: Me = { username: 'vic', role: 'viewer', tracks: ['day'], sites: null };

  it('shows a clinician the bands and its alerts, each alert linking to its episode view', async () => {
    const h = await boot(clinician, '?page=progress');
    await signIn(h.root, 'right');
    expect(byTestId(h.root, 'chart-progress-bands').querySelector('svg')).not.toBeNull();
    const table = byTestId(h.root, 'alerts-table');
    const alerts = fixtures.progressAlerts().alerts;
    expect(table.querySelectorAll('tbody tr')).toHaveLength(alerts.length);
    const first = alerts[0];
    if (!first) throw new Error('the alerts fixture has no alert');
    const link = byTestId<HTMLAnchorElement>(table, `alert-${first.episode_id}`);
    expect(link.getAttribute('href')).toBe(`?page=progress&episode=${first.episode_id}`);
    expect(h.metricCalls).toContain('progress/alerts?instrument=PHQ-9');
    expect(h.metricCalls.some((c) => c.startsWith('progress/episodes/'))).toBe(false);
  });

  it('draws the episode against its band with the RC threshold line', async () => {
    const h = await boot(clinician, '?page=progress&episode=E0000');
    await signIn(h.root, 'right');
    const card = byTestId(h.root, 'chart-progress-episode');
    const svg = card.querySelector('svg');
    expect(svg).not.toBeNull();
    const e = fixtures.progressEpisode();
    // one dot per score, and the RC line labelled
    expect(card.querySelectorAll('circle')).toHaveLength(e.scores.length);
    expect(card.textContent).toContain('RC threshold');
    expect(byTestId<HTMLAnchorElement>(h.root, 'progress-back').getAttribute('href')).toBe('?page=progress');
    expect(h.metricCalls).toContain('progress/episodes/E0000?instrument=PHQ-9');
  });

  it('shows a viewer the bands only: no alerts asked for, no episode view', async () => {
    const h = await boot(viewer, '?page=progress&episode=E0000');
    await signIn(h.root, 'right');
    expect(byTestId(h.root, 'chart-progress-bands').querySelector('svg')).not.toBeNull();
    expect(h.root.querySelector('[data-testid="chart-progress-alerts"]')).toBeNull();
    expect(h.root.querySelector('[data-testid="chart-progress-episode"]')).toBeNull();
    expect(h.metricCalls.filter((c) => c.startsWith('progress/alerts') || c.startsWith('progress/episodes'))).toEqual([]);
  });
});
