import * as Plot from '@observablehq/plot';
import type { Row } from '../csv';
import type { ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse } from '../types';
import { h } from '../ui/dom';
import { bandLineChart } from './band-line';
import { baseOptions, emptyState, type ChartElement, type ChartOptions } from './common';

/** The expected bands (docs/progress.md "Expected bands"): one mean line and 80% area per baseline band. */
export function expectedBandsChart(d: ProgressBandsResponse, opts: ChartOptions): ChartElement {
  const rows = d.expected.map((e) => ({ group: e.band ?? 'all episodes', week: e.week, value: e.mean, lower: e.lower, upper: e.upper, n: null }));
  return bandLineChart(rows, { ...opts, yLabel: `Expected ${d.instrument.code} score`, yDomain: [d.instrument.min_score, d.instrument.max_score] });
}

export function expectedBandsRows(d: ProgressBandsResponse): Row[] {
  return d.expected.map((e) => ({ instrument: d.instrument.code, band: e.band ?? 'all', week: e.week, mean: e.mean, lower_80: e.lower, upper_80: e.upper }));
}

const fmt = (v: number | null): string => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** The not-on-track list as a table; each episode links to its episode view (`episode=` in the URL). */
export function alertsTable(d: ProgressAlertsResponse, link: (episodeId: string) => string, doc: Document): HTMLElement {
  if (d.alerts.length === 0) return emptyState(`No open episode is off track on the ${d.instrument.code} as of ${d.as_of}.`, doc);
  const limit = d.instrument.higher_is_better ? 'Lower limit' : 'Upper limit';
  const head = h(doc, 'tr', {}, ...['Episode', 'Track', 'Clinician', 'Band', 'Baseline', 'Latest', 'Week', limit, 'Change', 'Why'].map((c) => h(doc, 'th', { scope: 'col' }, c)));
  const body = d.alerts.map((a) => h(doc, 'tr', { 'data-episode': a.episode_id },
    h(doc, 'th', { scope: 'row' }, h(doc, 'a', { href: link(a.episode_id), 'data-testid': `alert-${a.episode_id}` }, a.episode_id)),
    h(doc, 'td', {}, a.track_code),
    h(doc, 'td', {}, a.clinician_id ?? '–'),
    h(doc, 'td', {}, a.band ?? 'all'),
    h(doc, 'td', {}, fmt(a.baseline)),
    h(doc, 'td', {}, `${fmt(a.latest)} (${a.latest_on})`),
    h(doc, 'td', {}, String(a.week)),
    h(doc, 'td', {}, fmt(d.instrument.higher_is_better ? a.expected_lower : a.expected_upper)),
    h(doc, 'td', {}, `${a.worsening > 0 ? '+' : ''}${fmt(a.worsening)}`),
    h(doc, 'td', {}, a.reasons.map((r) => (r === 'above_band' ? 'outside the band' : 'reliably worse')).join(', ')),
  ));
  return h(doc, 'table', { class: 'data-table', 'data-testid': 'alerts-table' },
    h(doc, 'caption', {}, `${d.alerts.length} of ${d.open_episodes_judged} open episodes not on track as of ${d.as_of}`),
    h(doc, 'thead', {}, head), h(doc, 'tbody', {}, ...body));
}

export function alertsRows(d: ProgressAlertsResponse): Row[] {
  return d.alerts.map((a) => ({
    episode_id: a.episode_id, track: a.track_code, clinician_id: a.clinician_id, band: a.band, baseline: a.baseline, baseline_on: a.baseline_on,
    latest: a.latest, latest_on: a.latest_on, week: a.week, expected_lower: a.expected_lower, expected_upper: a.expected_upper, worsening: a.worsening, reasons: a.reasons.join(';'),
  }));
}

/** One episode's scores (dots and line) over its band's 80% area and mean, with the RC threshold as a dashed rule. */
export function episodeChart(d: ProgressEpisodeResponse, opts: ChartOptions): ChartElement {
  if (d.scores.length === 0) return emptyState(`Episode ${d.episode.episode_id} has no ${d.instrument.code} score.`, opts.document);
  const band = d.expected;
  const scores = d.scores.map((s) => ({ ...s, weeks: Math.max(0, s.day) / 7 }));
  const rc = d.rc_threshold;
  return Plot.plot({
    ...baseOptions(opts),
    height: 300,
    marginLeft: 50,
    x: { label: 'Weeks since admission →', grid: true },
    y: { label: `${d.instrument.code} score`, grid: true, domain: [d.instrument.min_score, d.instrument.max_score] },
    marks: [
      Plot.areaY(band, { x: 'week', y1: 'lower', y2: 'upper', fill: '#56B4E9', fillOpacity: 0.2 }),
      Plot.lineY(band, { x: 'week', y: 'mean', stroke: '#0072B2', strokeDasharray: '2,3' }),
      ...(rc === null ? [] : [Plot.ruleY([rc], { stroke: '#D55E00', strokeDasharray: '6,4' }), Plot.text([rc], { y: (v: number) => v, text: () => 'RC threshold', frameAnchor: 'right', dy: -6, fill: '#D55E00' })]),
      Plot.lineY(scores, { x: 'weeks', y: 'score', stroke: '#000000', strokeWidth: 1.5 }),
      Plot.dot(scores, { x: 'weeks', y: 'score', fill: '#000000', r: 3.5, title: (s: { administered_on: string; score: number; week: number }) => `${s.administered_on} (week ${s.week}): ${s.score}` }),
    ],
  });
}

export function episodeRows(d: ProgressEpisodeResponse): Row[] {
  const byWeek = new Map(d.expected.map((e) => [e.week, e]));
  return d.scores.map((s) => ({
    episode_id: d.episode.episode_id, administered_on: s.administered_on, day: s.day, week: s.week, score: s.score,
    expected_mean: byWeek.get(s.week)?.mean ?? null, expected_lower: byWeek.get(s.week)?.lower ?? null, expected_upper: byWeek.get(s.week)?.upper ?? null,
    rc_threshold: d.rc_threshold,
  }));
}
