import * as Plot from '@observablehq/plot';
import { suppressedText } from '../format';
import { NEUTRAL } from '../palette';
import type { EquityComparison } from '../types';
import { baseOptions, DEFAULT_WIDTH, emptyState, isNumber, type ChartElement, type ChartOptions } from './common';

// The equity view of docs/comparisons.md "Equity by race and ethnicity": each group's crude rate
// with its Wilson 95% CI, and its ratio to the reference (largest) group with the Katz log CI.
// A suppressed group keeps its row and says so, never silently missing.

export interface EquityRow {
  group: string;
  n: number | null;
  events: number | null;
  rate: number | null;
  rate_lower: number | null;
  rate_upper: number | null;
  ratio: number | null;
  ratio_lower: number | null;
  ratio_upper: number | null;
  note: string;
}

export function equityRows(data: EquityComparison): EquityRow[] {
  const hidden = `suppressed (${suppressedText(data.min_cell)})`;
  return data.groups.map((g) => {
    if (!('n' in g)) return { group: g.key, n: null, events: null, rate: null, rate_lower: null, rate_upper: null, ratio: null, ratio_lower: null, ratio_upper: null, note: hidden };
    const note = g.key === data.reference ? 'reference' : g.rate === null ? hidden : g.ratio === null ? 'no ratio (a count is 0, or the reference is hidden)' : '';
    return {
      group: g.key, n: g.n, events: g.events, rate: g.rate, rate_lower: g.rate_ci?.[0] ?? null, rate_upper: g.rate_ci?.[1] ?? null,
      ratio: g.ratio, ratio_lower: g.ratio_ci?.[0] ?? null, ratio_upper: g.ratio_ci?.[1] ?? null, note,
    };
  });
}

const ROW = 30;
const fmt = (v: number | null, digits: number) => (isNumber(v) ? v.toFixed(digits) : '–');

/** Two panels sharing the group axis: the rate (0–100%) and the ratio to the reference (log scale, 1 marked). */
export function equityChart(data: EquityComparison, opts: ChartOptions = {}): ChartElement {
  const rows = equityRows(data);
  if (rows.length === 0) return emptyState('No group has an episode for these filters.', opts.document);
  const doc = opts.document ?? document;
  const groups = rows.map((r) => r.group);
  const height = 50 + ROW * groups.length;
  // Room for the longest group name (race categories are long: "American Indian or Alaska Native").
  const marginLeft = Math.min(300, 20 + 6.5 * Math.max(...groups.map((g) => g.length)));
  const y = { label: null, domain: groups };
  const rated = rows.filter((r) => r.rate !== null);
  const notes = rows.filter((r) => r.note !== '' && r.note !== 'reference');
  const rateTitle = (r: EquityRow) => `${r.group}: ${fmt(r.rate === null ? null : r.rate * 100, 1)}% (95% CI ${fmt(r.rate_lower === null ? null : r.rate_lower * 100, 1)}–${fmt(r.rate_upper === null ? null : r.rate_upper * 100, 1)}%), n = ${r.n ?? '–'}`;
  const rate = Plot.plot({
    ...baseOptions({ ...opts, width: Math.round((opts.width ?? DEFAULT_WIDTH) * 0.65) }),
    height, marginLeft,
    x: { label: 'Rate (%) →', percent: true, domain: [0, 100], grid: true },
    y,
    marks: [
      Plot.ruleY(rated.filter((r) => r.rate_lower !== null && r.rate_upper !== null), { y: 'group', x1: 'rate_lower', x2: 'rate_upper', stroke: 'black', strokeWidth: 1.5 }),
      Plot.dot(rated, { y: 'group', x: 'rate', fill: '#0072B2', r: 5, title: rateTitle }),
      Plot.text(rows.filter((r) => r.rate === null), { y: 'group', x: 0, text: 'note', textAnchor: 'start', dx: 4, fill: NEUTRAL, fontStyle: 'italic' }),
    ],
  });
  const ratios = rows.filter((r) => isNumber(r.ratio));
  const bounds = ratios.flatMap((r) => [r.ratio, r.ratio_lower, r.ratio_upper]).filter(isNumber);
  const lo = Math.min(0.5, ...bounds) * 0.9;
  const hi = Math.max(2, ...bounds) * 1.1;
  const ratio = Plot.plot({
    ...baseOptions({ ...opts, width: Math.round((opts.width ?? DEFAULT_WIDTH) * 0.35) }),
    height, marginLeft: 10, marginRight: 20,
    x: { label: `Ratio to ${data.reference ?? 'the largest group'} →`, type: 'log', domain: [lo, hi], grid: true, ticks: [0.125, 0.25, 0.5, 1, 2, 4, 8].filter((t) => t >= lo && t <= hi), tickFormat: (v: number) => `${v}` },
    y: { ...y, axis: null },
    marks: [
      Plot.ruleX([1], { stroke: 'black' }),
      Plot.ruleY(ratios.filter((r) => r.ratio_lower !== null && r.ratio_upper !== null), { y: 'group', x1: 'ratio_lower', x2: 'ratio_upper', stroke: 'black', strokeWidth: 1.5 }),
      Plot.dot(ratios, { y: 'group', x: 'ratio', fill: '#E69F00', r: 5, title: (r: EquityRow) => `${r.group}: ratio ${fmt(r.ratio, 2)} (95% CI ${fmt(r.ratio_lower, 2)}–${fmt(r.ratio_upper, 2)})` }),
      Plot.text(notes.filter((r) => r.ratio === null), { y: 'group', frameAnchor: 'left', text: 'note', textAnchor: 'start', dx: 4, fill: NEUTRAL, fontStyle: 'italic', fontSize: 10 }),
    ],
  });
  const figure = doc.createElement('div');
  figure.className = 'equity';
  figure.dataset.by = data.by;
  figure.style.display = 'flex';
  // side by side at 1280 px, one under the other on a printed page
  figure.style.flexWrap = 'wrap';
  figure.append(rate, ratio);
  return figure;
}
