import * as Plot from '@observablehq/plot';
import { suppressedText, suppressionExplanation } from '../format';
import { ALERT, NEUTRAL } from '../palette';
import type { SpcImmature, SpcPhase, SpcPoint, SpcResponse, SpcSeriesName } from '../types';
import { h } from '../ui/dom';
import { bandTicks, baseOptions, emptyState, isNumber, type ChartElement, type ChartOptions } from './common';

/** How each series is named on the page and on its axis (the API's series names, docs/metrics.md "SPC charts"). */
export const SPC_SERIES_LABELS: Record<SpcSeriesName, string> = {
  'completion': 'Completion',
  'positive-discharge': 'Positive discharge',
  'attendance': 'Attendance',
  'no-show': 'No-show',
  'engagement': 'Engagement (IET)',
  'remission': 'Remission',
  'length-of-stay': 'Mean length of stay (days)',
  'wait-days': 'Mean wait (days)',
};

/** The colours of a point: outside the limits, in a phase with a run signal, or common-cause only. */
export const SPC_COLOURS = { sigma: ALERT, runs: '#E69F00', common: '#0072B2', immature: '#BBBBBB', immatureBand: '#F0F0F0', target: '#009E73' } as const;

export type SpcPointStatus = 'sigma' | 'runs' | 'common' | 'suppressed' | 'missing';

/** One row of the chart's data (and of its CSV): a charted period or an immature one. */
export interface SpcRow {
  period: string;
  status: SpcPointStatus | 'immature';
  phase: number | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  cl: number | null;
  lcl: number | null;
  ucl: number | null;
  matures_on: string | null;
}

export function pointStatus(p: SpcPoint, phases: readonly SpcPhase[]): SpcPointStatus {
  if (p.suppressed) return 'suppressed';
  if (!isNumber(p.value)) return 'missing';
  if (p.sigma_signal) return 'sigma';
  return phases.find((ph) => ph.phase === p.phase)?.runs_signal ? 'runs' : 'common';
}

export function spcRows(data: SpcResponse): SpcRow[] {
  const charted = data.points.map((p): SpcRow => ({
    period: p.period, status: pointStatus(p, data.phases), phase: p.phase, value: p.value, numerator: p.numerator, denominator: p.denominator,
    cl: p.cl, lcl: p.lcl, ucl: p.ucl, matures_on: null,
  }));
  const young = data.immature.map((p): SpcRow => ({
    period: p.period, status: 'immature', phase: null, value: p.value, numerator: p.numerator, denominator: p.denominator,
    cl: null, lcl: null, ucl: null, matures_on: p.matures_on,
  }));
  return [...charted, ...young];
}

const isRate = (data: SpcResponse) => data.chart === 'p';

function valueText(data: SpcResponse, v: number | null): string {
  if (!isNumber(v)) return '–';
  return isRate(data) ? `${(v * 100).toFixed(1)}%` : v.toFixed(1);
}

/** The sentence under a phase's chart: the Anhøj figures, as qicharts2 reports them, with what each means here. */
export function anhoejSentences(data: SpcResponse, ph: SpcPhase): string[] {
  const span = ph.first === ph.last ? ph.first : `${ph.first} to ${ph.last}`;
  const head = `Phase ${ph.phase}${ph.split ? ` (from the change on ${ph.split})` : ''}, ${span}: centre line ${valueText(data, ph.cl)}; n = ${ph.n_useful} useful points of ${ph.n_obs} (points on the centre line are not counted).`;
  if (ph.longest_run === null || ph.longest_run_max === null || ph.n_crossings === null || ph.n_crossings_min === null) {
    return [head, 'Too few points for the run rules.'];
  }
  const run = `Longest run on one side of the centre line: ${ph.longest_run}; the limit is ${ph.longest_run_max} (round(log2(n)) + 3) → ${ph.shift_signal ? 'SHIFT SIGNAL: the run is longer than chance allows' : 'no shift'}.`;
  const cross = `Crossings of the centre line: ${ph.n_crossings}; at least ${ph.n_crossings_min} expected (qbinom(0.05, n − 1, 0.5)) → ${ph.crossings_signal ? 'TOO FEW CROSSINGS: a signal' : 'no signal'}.`;
  const sigma = `Points outside the ${data.laney ? 'Laney p′ ' : ''}3-sigma limits: ${ph.sigma_signals}${ph.sigma_signals > 0 ? ' (special cause: look at those periods)' : ''}.`;
  return [head, run, cross, sigma];
}

/** The Anhøj rules of every phase, spelled out with their figures: the list under the chart. */
export function anhoejList(data: SpcResponse, doc: Document = document): HTMLElement {
  const items = data.phases.map((ph) => {
    const [head, ...rules] = anhoejSentences(data, ph);
    const signal = ph.runs_signal || ph.sigma_signals > 0;
    return h(doc, 'li', { 'data-phase': ph.phase, 'data-signal': signal ? 'yes' : 'no' }, h(doc, 'strong', {}, head ?? ''), h(doc, 'ul', {}, ...rules.map((r) => h(doc, 'li', {}, r))));
  });
  const verdict = data.phases.some((ph) => ph.runs_signal || ph.sigma_signals > 0)
    ? 'A run signal says the process has changed; a point outside the limits says that period is unusual.'
    : 'No signal: the variation is common-cause only, so react to the system, not to single periods.';
  const list = h(doc, 'div', { class: 'anhoej', 'data-testid': 'anhoej-rules' }, h(doc, 'p', { class: 'anhoej-title' }, 'Run rules (Anhøj), per phase'), h(doc, 'ul', {}, ...items), h(doc, 'p', {}, verdict));
  if (data.immature.length > 0) {
    list.append(h(doc, 'p', { class: 'immature-note' }, `Not charted yet (immature: their episodes cannot all have reached the outcome): ${data.immature.map((i) => `${i.period} (enters on ${i.matures_on}, provisional ${i.suppressed ? suppressedText(data.min_cell) : valueText(data, i.value)})`).join('; ')}. They never raise a signal.`));
  }
  return list;
}

interface Drawn extends SpcPoint {
  status: SpcPointStatus;
}

const BAND_PADDING = 0.1;

/**
 * An SPC chart from the API's answer (docs/metrics.md "SPC charts"): the points coloured by
 * signal, each phase's centre line (dashed orange when the phase has a run signal) and its
 * 3-sigma limits, the target line, the change dates that open phases, suppressed periods
 * marked "<min_cell" in place and the immature periods on a grey band, labelled and never
 * drawn as points, so a young month cannot look like a drop.
 */
export function spcChart(data: SpcResponse, opts: ChartOptions & { label?: string } = {}): ChartElement {
  if (data.points.length === 0 && data.immature.length === 0) return emptyState('No admission periods in scope for these filters.', opts.document);
  const rate = isRate(data);
  const periods = [...data.points.map((p) => p.period), ...data.immature.map((p) => p.period)];
  const drawn: Drawn[] = data.points.map((p) => ({ ...p, status: pointStatus(p, data.phases) }));
  const valued = drawn.filter((p) => isNumber(p.value));
  const hidden = drawn.filter((p) => p.status === 'suppressed');
  const values = [...valued.flatMap((p) => [p.value, p.ucl, p.lcl, p.cl]), data.target?.value].filter(isNumber);
  const top = rate ? 1 : Math.max(1, ...values) * 1.1;
  const bottom = rate ? 0 : Math.min(0, ...values);
  const width = opts.width ?? 720;
  const marginLeft = 56;
  const marginRight = 20;
  const step = (width - marginLeft - marginRight) / Math.max(1, periods.length - BAND_PADDING + 2 * BAND_PADDING);
  const boundaries = data.phases.filter((ph) => ph.phase > 1);
  const runsPhases = new Set(data.phases.filter((ph) => ph.runs_signal).map((ph) => ph.phase));
  const fmt = (v: number | null) => valueText(data, v);
  const pointTitle = (d: Drawn) =>
    `${d.period}: ${fmt(d.value)}${d.numerator !== null && d.denominator !== null ? ` (${d.numerator} of ${d.denominator})` : d.denominator !== null ? ` (${d.denominator} episodes)` : ''}; ` +
    `centre ${fmt(d.cl)}, limits ${fmt(d.lcl)}–${fmt(d.ucl)}` +
    (d.status === 'sigma' ? '; outside the limits (special cause)' : d.status === 'runs' ? '; in a phase with a run signal' : '');
  const why = (d: Drawn) => `${d.period}: ${suppressionExplanation(data.min_cell)} Left out of the centre line, the limits and the runs.`;
  const immatureTitle = (d: SpcImmature) => `${d.period} is immature: its episodes cannot all have reached the outcome by ${data.as_of}; it enters the chart on ${d.matures_on}. Provisional value ${d.suppressed ? suppressedText(data.min_cell) : fmt(d.value)}, not charted.`;
  const fill = (d: Drawn) => SPC_COLOURS[d.status === 'sigma' ? 'sigma' : d.status === 'runs' ? 'runs' : 'common'];
  const caption = [
    rate ? `p-chart${data.laney ? ' (Laney p′)' : ''}` : 'I-chart',
    'Blue: common-cause variation; orange: a phase with a run signal (its centre line dashed); red: outside the limits.',
    hidden.length > 0 ? `“${suppressedText(data.min_cell)}” marks a period withheld for privacy.` : '',
    data.immature.length > 0 ? 'Grey band: immature periods, not charted.' : '',
    data.target ? `Green line: target ${fmt(data.target.value)} (${data.target.source}).` : '',
  ].filter((s) => s !== '').join(' ');
  return Plot.plot({
    ...baseOptions({ ...opts, width }),
    height: 320,
    marginLeft,
    marginRight,
    caption,
    x: { label: `Admission ${data.filters.period} →`, domain: periods, type: 'band', padding: BAND_PADDING, ticks: bandTicks(periods, width - marginLeft - marginRight) },
    // percent multiplies every y value by 100, so a rate's domain is in percent
    y: { label: `↑ ${opts.label ?? SPC_SERIES_LABELS[data.series]}${rate ? ' (%)' : ''}`, domain: rate ? [bottom * 100, top * 100] : [bottom, top], percent: rate, grid: true },
    marks: [
      Plot.barY(data.immature, { x: 'period', y1: bottom, y2: top, fill: SPC_COLOURS.immatureBand, title: immatureTitle, className: 'spc-immature' }),
      Plot.text(data.immature, {
        x: 'period', y: bottom + (top - bottom) / 2, text: (d: SpcImmature) => `immature · enters ${d.matures_on}`, rotate: -90, fill: NEUTRAL, fontSize: 10, title: immatureTitle, className: 'spc-immature-label',
      }),
      Plot.tickY(drawn.filter((d) => isNumber(d.ucl)), { x: 'period', y: 'ucl', stroke: NEUTRAL, strokeDasharray: '4,3' }),
      Plot.tickY(drawn.filter((d) => isNumber(d.lcl)), { x: 'period', y: 'lcl', stroke: NEUTRAL, strokeDasharray: '4,3' }),
      Plot.lineY(drawn.filter((d) => !runsPhases.has(d.phase)), { x: 'period', y: 'cl', z: 'phase', stroke: NEUTRAL, strokeWidth: 1.5, className: 'spc-centre' }),
      Plot.lineY(drawn.filter((d) => runsPhases.has(d.phase)), { x: 'period', y: 'cl', z: 'phase', stroke: SPC_COLOURS.runs, strokeWidth: 2, strokeDasharray: '6,3', className: 'spc-centre-signal' }),
      data.target ? Plot.ruleY([data.target.value], { stroke: SPC_COLOURS.target, strokeWidth: 1.5, strokeDasharray: '2,2', className: 'spc-target' }) : null,
      data.target ? Plot.text([data.target], {
        x: () => periods[0], y: 'value', text: (t: { value: number }) => `Target ${fmt(t.value)}`, textAnchor: 'start', dx: -step / 2 + 2, dy: -7, fill: SPC_COLOURS.target, fontSize: 10, className: 'spc-target-label',
      }) : null,
      Plot.lineY(drawn, { x: 'period', y: (d: Drawn) => (isNumber(d.value) ? d.value : NaN), z: 'phase', stroke: '#7a9cc0', strokeWidth: 1 }),
      Plot.dot(valued, { x: 'period', y: 'value', r: 4, fill, stroke: 'white', title: pointTitle, className: 'spc-point' }),
      Plot.ruleX(boundaries, { x: 'first', dx: -step / 2, stroke: '#333', strokeDasharray: '3,3', className: 'spc-phase-boundary' }),
      Plot.text(boundaries, {
        x: 'first', y: top, text: (ph: SpcPhase) => `Phase ${ph.phase}${ph.split ? ` from ${ph.split}` : ''}`, dx: -step / 2 + 3, dy: -14, textAnchor: 'start', fill: '#333', fontSize: 10, className: 'spc-phase-label',
      }),
      Plot.text(hidden, { x: 'period', y: bottom, text: () => suppressedText(data.min_cell), dy: -8, fill: '#333', title: why, ariaLabel: why, className: 'suppressed-marker' }),
    ],
  });
}
