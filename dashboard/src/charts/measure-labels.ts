import * as Plot from '@observablehq/plot';
import { groupLabel, isGroupSuppressed, suppressedText, suppressionExplanation } from '../format';
import { OKABE_ITO } from '../palette';
import type { MeasureResponse } from '../types';
import { baseOptions, emptyState, labelMargin, NO_DATA, withSuppressedGroups, type ChartElement, type ChartOptions } from './common';
import { SUPPRESSED_FILL } from './rate-bars';

/** The label a measure keeps apart: episodes whose outcome window has not closed (docs/measures.md "Labels"). */
export const WINDOW_OPEN = 'window_open';
const PARTS = ['Window closed', 'Window open'] as const;

export interface LabelRow {
  group: string;
  label: string;
  /** Window closed (the population the rate is about, exclusions included) or window open, drawn apart. */
  part: (typeof PARTS)[number];
  count: number | null;
  suppressed: boolean;
}

/** One row per group and label, in the measure's label order; a suppressed label keeps its row with a null count. */
export function labelRows(data: MeasureResponse): LabelRow[] {
  const rows: LabelRow[] = [];
  for (const g of data.groups) {
    if (isGroupSuppressed(g) || !('labels' in g)) continue;
    const group = groupLabel(g.key);
    for (const [label, count] of Object.entries(g.labels)) {
      rows.push({ group, label, part: label === WINDOW_OPEN ? 'Window open' : 'Window closed', count, suppressed: count === null });
    }
  }
  return rows;
}

/**
 * The label breakdown as stacked bars of episode counts, one bar per group: the labels of
 * episodes whose window has closed in the left panel, window_open apart in the right one.
 * Suppressed labels are marked in place, after their group's bar, as "<min_cell" with the labels
 * and the suppression rule as its tooltip, and named in a note under the chart: a marker long
 * enough to name them ran into the next panel (issue 18 item 6, labels never overlap).
 */
export function measureLabelsChart(data: MeasureResponse, opts: ChartOptions = {}): ChartElement {
  const rows = labelRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const labels = [...new Set(rows.map((r) => r.label))];
  const shown = rows.filter((r) => r.count !== null && r.count > 0);
  const colours = labels.map((l, i) => (l === WINDOW_OPEN ? '#999999' : (OKABE_ITO[i % OKABE_ITO.length] ?? '#777')));
  // Per group and panel, where the visible bar ends, so the suppressed markers sit right after it.
  const ends = new Map<string, number>();
  for (const r of shown) ends.set(`${r.group}|${r.part}`, (ends.get(`${r.group}|${r.part}`) ?? 0) + (r.count ?? 0));
  // One marker per group and panel, naming every suppressed label of it, so two markers never overlap.
  const byBar = new Map<string, { group: string; part: LabelRow['part']; x: number; labels: string[] }>();
  for (const r of rows.filter((x) => x.suppressed)) {
    const key = `${r.group}|${r.part}`;
    const bar = byBar.get(key) ?? { group: r.group, part: r.part, x: ends.get(key) ?? 0, labels: [] };
    bar.labels.push(r.label.replaceAll('_', ' '));
    byBar.set(key, bar);
  }
  const hidden = [...byBar.values()];
  type Marker = (typeof hidden)[number];
  const why = (d: Marker) => `${d.group}, ${d.labels.join(', ')}: ${suppressionExplanation(data.min_cell)}`;
  // Room after the longest bar for its marker, inside its own panel.
  const longest = Math.max(1, ...ends.values());
  const chart = Plot.plot({
    ...baseOptions(opts),
    height: 70 + 36 * groups.length,
    marginLeft: labelMargin(groups),
    marginRight: 60,
    x: { label: 'Episodes →', grid: true, domain: [0, longest * (hidden.length > 0 ? 1.2 : 1)], nice: true },
    y: { label: null, domain: groups },
    fx: { label: null, domain: [...PARTS] },
    color: { type: 'ordinal', domain: labels, range: colours, legend: true },
    marks: [
      Plot.barX(shown, Plot.stackX({ x: 'count', y: 'group', fx: 'part', fill: 'label', order: labels, title: (d: LabelRow) => `${d.group}, ${d.label.replaceAll('_', ' ')}: ${d.count}` })),
      Plot.text(hidden, {
        x: 'x', y: 'group', fx: 'part', text: () => suppressedText(data.min_cell),
        textAnchor: 'start', dx: 4, fill: '#333', title: why, ariaLabel: why, className: 'suppressed-marker',
      }),
      Plot.tickX(hidden, { x: 'x', y: 'group', fx: 'part', stroke: SUPPRESSED_FILL, strokeWidth: 6, inset: 6 }),
      Plot.ruleX([0]),
    ],
  });
  return withSuppressedGroups(chart, hidden.map((d) => `${d.group}: ${d.labels.join(', ')}`), data.min_cell, opts.document);
}
