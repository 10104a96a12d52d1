import * as Plot from '@observablehq/plot';
import { groupLabel, isGroupSuppressed } from '../format';
import { ALERT, NEUTRAL } from '../palette';
import type { CompletionResponse } from '../types';
import { baseOptions, emptyState, isNumber, type ChartElement, type ChartOptions } from './common';

export interface PChartPoint {
  period: string;
  n: number;
  completed: number;
  p: number;
  lcl: number;
  ucl: number;
  outside: boolean;
}

export interface PChartData {
  centre: number | null;
  points: PChartPoint[];
  /** Periods left out because a count was suppressed. */
  omitted: string[];
}

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** The control limits lie this many standard errors from the centre line (Shewhart). */
const LIMIT_SIGMAS = 3;

/** How the chart is built, in words, with the completion rule the response states (`definition.text`). */
export function pChartDefinition(data: CompletionResponse): string {
  return `Monthly completion rate by admission month. ${data.definition.text.completion_rate ?? ''} ` +
    `Centre line p̄ = Σcompleted / Σdischarged; control limits p̄ ± ${LIMIT_SIGMAS}·sqrt(p̄(1−p̄)/nᵢ), varying with each month’s discharges nᵢ and clipped to [0, 1] ` +
    '(Shewhart p-chart). Months with suppressed counts are left out of p̄.';
}

/**
 * Shewhart p-chart (Montgomery, "Introduction to Statistical Quality Control", §7.2): centre
 * p̄ = Σcompleted / Σdischarged, limits p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ) for each month's nᵢ, clipped to [0, 1].
 */
export function pChartData(data: CompletionResponse): PChartData {
  const usable: { period: string; n: number; completed: number }[] = [];
  const omitted: string[] = [];
  for (const g of data.groups) {
    const period = groupLabel(g.key);
    if (isGroupSuppressed(g) || !isNumber(g.discharged) || !isNumber(g.completed) || g.discharged === 0) {
      omitted.push(period);
      continue;
    }
    usable.push({ period, n: g.discharged, completed: g.completed });
  }
  const total = usable.reduce((s, u) => s + u.n, 0);
  if (total === 0) return { centre: null, points: [], omitted };
  const centre = usable.reduce((s, u) => s + u.completed, 0) / total;
  const points = usable.map((u) => {
    const sigma = Math.sqrt((centre * (1 - centre)) / u.n);
    const p = u.completed / u.n;
    const lcl = clip(centre - LIMIT_SIGMAS * sigma);
    const ucl = clip(centre + LIMIT_SIGMAS * sigma);
    return { period: u.period, n: u.n, completed: u.completed, p, lcl, ucl, outside: p < lcl || p > ucl };
  });
  return { centre, points, omitted };
}

export function pChart(data: CompletionResponse, opts: ChartOptions = {}): ChartElement {
  const { centre, points, omitted } = pChartData(data);
  if (centre === null) return emptyState('No months with unsuppressed discharges for these filters.', opts.document);
  const periods = points.map((p) => p.period);
  const title = (d: PChartPoint) =>
    `${d.period}: ${(d.p * 100).toFixed(1)}% of ${d.n} (limits ${(d.lcl * 100).toFixed(1)}–${(d.ucl * 100).toFixed(1)}%)${d.outside ? ', outside the limits' : ''}`;
  const caption =
    `Centre line p̄ = ${(centre * 100).toFixed(1)}%. Red points fall outside the ${LIMIT_SIGMAS}σ limits (special-cause variation).` +
    (omitted.length > 0 ? ` Left out (suppressed): ${omitted.join(', ')}.` : '');
  return Plot.plot({
    ...baseOptions(opts),
    height: 300,
    marginLeft: 50,
    marginBottom: 50,
    caption,
    x: { label: 'Admission month →', domain: periods, tickRotate: periods.length > 12 ? -45 : 0, padding: 0.2 },
    y: { label: '↑ Completion rate (%)', domain: [0, 100], percent: true, grid: true },
    color: { type: 'identity' },
    marks: [
      Plot.ruleY([centre], { stroke: NEUTRAL, strokeWidth: 1.5 }),
      Plot.tickY(points, { x: 'period', y: 'ucl', stroke: NEUTRAL, strokeDasharray: '4,3' }),
      Plot.tickY(points, { x: 'period', y: 'lcl', stroke: NEUTRAL, strokeDasharray: '4,3' }),
      Plot.lineY(points, { x: 'period', y: 'p', stroke: '#0072B2' }),
      Plot.dot(points, { x: 'period', y: 'p', r: 4, fill: (d: PChartPoint) => (d.outside ? ALERT : '#0072B2'), title }),
    ],
  });
}
