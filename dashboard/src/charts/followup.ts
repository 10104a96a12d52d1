import * as Plot from '@observablehq/plot';
import { groupLabel, isFieldSuppressed, isGroupSuppressed, suppressedText, suppressionExplanation } from '../format';
import type { MeasureGroup, MeasureResponse } from '../types';
import { bandTicks, baseOptions, colourScale, dataTable, DEFAULT_WIDTH, emptyState, labelMargin, NO_DATA, type ChartElement, type ChartOptions } from './common';
import { SUPPRESSED_FILL } from './rate-bars';

// The Follow-up page's charts (docs/funder-reporting.md): the six-month follow-up rate by month
// of intake against its target, the label breakdown, and the NOMs intake/follow-up pairs.

type Group = MeasureResponse['groups'][number];
const shown = (g: Group): g is MeasureGroup => !isGroupSuppressed(g);

/** The target of the definition block (0.80 by SAMHSA's rule), or null when absent. */
export function followupTarget(data: MeasureResponse): number | null {
  const t = (data.definition as { target_rate?: unknown }).target_rate;
  return typeof t === 'number' ? t : null;
}

export interface FollowupMonthRow {
  month: string;
  rate: number | null;
  lower: number | null;
  upper: number | null;
  completed: number | null;
  denominator: number | null;
  window_open: number | null;
  /** mature: every window closed; immature: some still open (the rate is not final, not a drop); suppressed: withheld. */
  status: 'mature' | 'immature' | 'suppressed' | 'n/a';
}

/** One row per month of intake (the response grouped by period = month). */
export function followupMonthRows(data: MeasureResponse): FollowupMonthRow[] {
  return data.groups.map((g) => {
    const month = groupLabel(g.key);
    if (!shown(g)) return { month, rate: null, lower: null, upper: null, completed: null, denominator: null, window_open: null, status: 'suppressed' };
    const immature = g.window_open === null ? isFieldSuppressed(g, 'window_open') : g.window_open > 0;
    const status = immature ? 'immature' : g.rate === null ? (isFieldSuppressed(g, 'rate') ? 'suppressed' : 'n/a') : 'mature';
    return {
      month, rate: g.rate, lower: g.rate_ci?.[0] ?? null, upper: g.rate_ci?.[1] ?? null,
      completed: g.numerator, denominator: g.denominator, window_open: g.window_open, status,
    };
  });
}

/**
 * The follow-up rate by month of intake with its 95% CI and the target line. A month whose
 * windows are not all closed is drawn hollow and grey and labelled "immature": its rate
 * will still rise, so it is never read as a drop. A withheld month keeps its place with the
 * "<min_cell" marker.
 */
export function followupRateChart(data: MeasureResponse, opts: ChartOptions = {}): ChartElement {
  const rows = followupMonthRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const months = rows.map((r) => r.month);
  const target = followupTarget(data);
  const mature = rows.filter((r) => r.status === 'mature');
  const immature = rows.filter((r) => r.status === 'immature' && r.rate !== null);
  const withheld = rows.filter((r) => r.status === 'suppressed' || (r.status === 'immature' && r.rate === null));
  const why = (r: FollowupMonthRow) => `${r.month}: ${r.status === 'immature' ? 'windows still open; ' : ''}${suppressionExplanation(data.min_cell)}`;
  const title = (r: FollowupMonthRow) =>
    `${r.month}: ${((r.rate ?? 0) * 100).toFixed(1)}% followed up (${r.completed ?? '?'} of ${r.denominator ?? '?'})` +
    (r.status === 'immature' ? `; immature: ${r.window_open ?? 'some'} window(s) still open` : '');
  return Plot.plot({
    ...baseOptions(opts),
    height: 300,
    x: { label: 'Month of intake →', domain: months, ticks: bandTicks(months, (opts.width ?? DEFAULT_WIDTH) - 60) },
    y: { label: '↑ Followed up within 5–8 months (%)', percent: true, domain: [0, 100], grid: true },
    marks: [
      ...(target === null ? [] : [
        Plot.ruleY([target], { stroke: '#b2182b', strokeDasharray: '6,4', className: 'target-line' }),
        Plot.text([target], { x: months[0], y: (d: number) => d, text: () => `target ${(target * 100).toFixed(0)}%`, dy: -6, textAnchor: 'start', fill: '#b2182b' }),
      ]),
      Plot.ruleX(mature.filter((r) => r.lower !== null), { x: 'month', y1: 'lower', y2: 'upper', stroke: '#555' }),
      Plot.dot(mature, { x: 'month', y: 'rate', fill: '#0072B2', r: 4, title, className: 'month-mature' }),
      Plot.dot(immature, { x: 'month', y: 'rate', stroke: '#999', fill: 'white', r: 4, title, className: 'month-immature' }),
      Plot.text(immature, { x: 'month', y: 'rate', text: () => 'immature', dy: -10, fill: '#777', fontSize: 9 }),
      Plot.text(withheld, { x: 'month', y: 0, text: () => suppressedText(data.min_cell), dy: -8, fill: '#333', title: why, ariaLabel: why, className: 'suppressed-marker' }),
      Plot.ruleY([0]),
    ],
  });
}

/** Label counts per group, in the definition's order; a withheld count is null. */
export function followupLabelRows(data: MeasureResponse): { group: string; label: string; count: number | null; suppressed: boolean }[] {
  const labels = ((data.definition as { labels?: unknown }).labels as string[] | undefined) ?? [];
  return data.groups.flatMap((g) => {
    const group = groupLabel(g.key);
    return labels.map((label) => {
      const count = shown(g) ? (g.labels[label] ?? null) : null;
      return { group, label, count, suppressed: count === null };
    });
  });
}

const LABEL_TEXT: Record<string, string> = {
  excluded: 'Excluded (died)', completed: 'Completed', window_open: 'Window open', refused: 'Refused', not_located: 'Not located', no_record: 'No record',
};

/** The label breakdown as a table: counts, a withheld count marked "<min_cell" in its cell with the rule as its title. */
export function followupLabelTable(data: MeasureResponse, doc: Document = document): HTMLTableElement {
  const labels = ((data.definition as { labels?: unknown }).labels as string[] | undefined) ?? [];
  const cell = (text: string, cls = '', title = '') => {
    const td = doc.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    if (title) td.title = title;
    return td;
  };
  return dataTable(doc, {
    className: 'followup-labels',
    caption: 'Every intake gets one label, the first that applies (left to right).',
    columns: ['Group', 'Intakes', ...labels.map((l) => LABEL_TEXT[l] ?? l), 'Rate'],
    rows: data.groups.map((g) => {
      const group = groupLabel(g.key);
      if (!shown(g)) {
        return { label: group, dataset: { suppressed: 'all' }, cells: [cell(suppressedText(data.min_cell), 'suppressed', suppressionExplanation(data.min_cell)), ...labels.map(() => cell('', 'suppressed')), cell('', 'suppressed')] };
      }
      return {
        label: group,
        cells: [
          cell(String(g.initial_population)),
          ...labels.map((l) => {
            const v = g.labels[l];
            return v === null || v === undefined ? cell(suppressedText(data.min_cell), 'suppressed', suppressionExplanation(data.min_cell)) : cell(String(v));
          }),
          g.rate === null
            ? cell(isFieldSuppressed(g, 'rate') ? suppressedText(data.min_cell) : 'n/a', isFieldSuppressed(g, 'rate') ? 'suppressed' : '', isFieldSuppressed(g, 'rate') ? suppressionExplanation(data.min_cell) : '')
            : cell(`${(g.rate * 100).toFixed(1)}%`),
        ],
      };
    }),
  });
}

export const NOMS_DOMAIN_TEXT: Record<string, string> = {
  abstinent: 'Abstinent', employed_or_in_school: 'Employed or in school', stable_housing: 'Stable housing', no_arrests: 'No arrests', socially_connected: 'Socially connected',
};

export interface NomsRow {
  group: string;
  domain: string;
  n: number | null;
  intake_pct: number | null;
  followup_pct: number | null;
  percent_change: number | null;
  p_value: number | null;
  suppressed: boolean;
}

type Domain = { n: number | null; intake_pct: number | null; followup_pct: number | null; percent_change: number | null; p_value: number | null; suppressed: string[] };

/** One row per group and domain; `suppressed` when a percentage was withheld (or the group was). */
export function nomsRows(data: MeasureResponse): NomsRow[] {
  return data.groups.flatMap((g) => {
    const group = groupLabel(g.key);
    const domains = shown(g) ? ((g.statistics as { domains?: Record<string, Domain> } | undefined)?.domains ?? {}) : {};
    return Object.keys(NOMS_DOMAIN_TEXT).map((d) => {
      const x = domains[d];
      if (!x) return { group, domain: NOMS_DOMAIN_TEXT[d] ?? d, n: null, intake_pct: null, followup_pct: null, percent_change: null, p_value: null, suppressed: true };
      return {
        group, domain: NOMS_DOMAIN_TEXT[d] ?? d, n: x.n, intake_pct: x.intake_pct, followup_pct: x.followup_pct,
        percent_change: x.percent_change, p_value: x.p_value, suppressed: x.suppressed.some((s) => s === 'n' || s.endsWith('_pct')),
      };
    });
  });
}

/**
 * NOMs pairs: per domain and group, the share positive at intake (hollow) and at the
 * six-month follow-up (filled), joined by an arrow. A withheld domain keeps its row with a
 * grey band and "<min_cell".
 */
export function nomsChart(data: MeasureResponse, opts: ChartOptions = {}): ChartElement {
  const rows = nomsRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const domains = Object.values(NOMS_DOMAIN_TEXT);
  const drawn = rows.filter((r) => r.intake_pct !== null && r.followup_pct !== null);
  const hidden = rows.filter((r) => r.intake_pct === null || r.followup_pct === null);
  const why = (r: NomsRow) => `${r.group}, ${r.domain}: ${r.suppressed ? suppressionExplanation(data.min_cell) : 'no pairs with both answers.'}`;
  const title = (r: NomsRow) =>
    `${r.group}, ${r.domain}: ${r.intake_pct}% at intake → ${r.followup_pct}% at follow-up (n = ${r.n}` +
    `${r.percent_change === null ? '' : `, ${r.percent_change > 0 ? '+' : ''}${r.percent_change}%`}${r.p_value === null ? '' : `, McNemar p = ${r.p_value.toPrecision(2)}`})`;
  return Plot.plot({
    ...baseOptions(opts),
    height: 40 + 26 * groups.length * domains.length + 20 * domains.length,
    marginLeft: labelMargin(groups),
    marginRight: 150,
    x: { label: 'Positive answers (%) →', domain: [0, 100], grid: true },
    y: { label: null, domain: groups },
    fy: { label: null, domain: domains, axis: 'right' },
    color: colourScale(groups, false),
    marks: [
      Plot.arrow(drawn, { x1: 'intake_pct', x2: 'followup_pct', y: 'group', fy: 'domain', stroke: 'group', headLength: 6 }),
      Plot.dot(drawn, { x: 'intake_pct', y: 'group', fy: 'domain', stroke: 'group', fill: 'white', r: 4, title, className: 'noms-intake' }),
      Plot.dot(drawn, { x: 'followup_pct', y: 'group', fy: 'domain', fill: 'group', r: 4, title, className: 'noms-followup' }),
      Plot.barX(hidden, { x1: 0, x2: 12, y: 'group', fy: 'domain', fill: SUPPRESSED_FILL, title: why, ariaLabel: why, className: 'suppressed-band' }),
      Plot.text(hidden, { x: 0, y: 'group', fy: 'domain', text: (r: NomsRow) => (r.suppressed ? suppressedText(data.min_cell) : 'n/a'), textAnchor: 'start', dx: 4, fill: '#333', title: why, className: 'suppressed-marker' }),
    ],
  });
}
