import * as Plot from '@observablehq/plot';
import { groupLabel, isGroupSuppressed, pValue, shownGroups } from '../format';
import type { GroupBase, KmFields, LogRank, SuppressedGroup } from '../types';
import { baseOptions, colourScale, DEFAULT_WIDTH, emptyState, isNumber, NO_DATA, withSuppressedGroups, type ChartElement, type ChartOptions } from './common';

export interface KmRow {
  group: string;
  day: number;
  at_risk: number | null;
  events: number;
  censored: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

export interface KmData {
  min_cell?: number;
  groups: readonly (SuppressedGroup | (GroupBase & KmFields))[];
  log_rank?: LogRank | null;
}

export interface KmChartOptions extends ChartOptions {
  xLabel?: string;
  yLabel?: string;
}

/** Curve rows per group, each curve starting at S(0) = 1 so the first step is drawn. */
export function kmRows(data: KmData): KmRow[] {
  const rows: KmRow[] = [];
  for (const g of data.groups) {
    if (isGroupSuppressed(g) || !g.curve || g.curve.length === 0) continue;
    const group = groupLabel(g.key);
    rows.push({ group, day: 0, at_risk: g.n ?? null, events: 0, censored: 0, survival: 1, lower: 1, upper: 1 });
    for (const p of g.curve) {
      if (!isNumber(p.survival)) break;
      rows.push({ group, day: p.day, at_risk: p.at_risk, events: p.events, censored: p.censored, survival: p.survival, lower: p.lower, upper: p.upper });
    }
  }
  return rows;
}

export function kmMedians(data: KmData): { group: string; median_days: number; survival: number }[] {
  return shownGroups(data.groups)
    .filter((g) => isNumber(g.median_days) && (g.curve?.length ?? 0) > 0)
    .map((g) => ({ group: groupLabel(g.key), median_days: g.median_days as number, survival: 0.5 }));
}

export function logRankCaption(logRank: LogRank | null | undefined): string {
  if (!logRank) return 'Log-rank test: not applicable (one group).';
  return `Log-rank test: χ² = ${logRank.chi2.toFixed(2)}, df = ${logRank.df}, ${pValue(logRank.p)}.`;
}

/** Approximate width of a median label at the chart's 12px font (≈ 0.6 em a character, plus padding). */
const LABEL_PX_PER_CHAR = 7.5;
const LABEL_PAD_PX = 6;
/** Vertical step between stacked label rows (px). */
export const LABEL_ROW_PX = 14;

/**
 * Gives every median label a row so that no two labels overlap: labels are placed left to right
 * by their x in pixels (centred on their dot), each on the lowest row whose last label ends
 * before it starts. Plot 0.6 has no text-collision option, and dodge moves dots, not text.
 */
export function medianLabelRows(medians: readonly { median_days: number }[], pxPerDay: number): number[] {
  const order = medians.map((m, i) => i).sort((a, b) => (medians[a]?.median_days ?? 0) - (medians[b]?.median_days ?? 0));
  const rowEnds: number[] = [];
  const rows = new Array<number>(medians.length).fill(0);
  for (const i of order) {
    const m = medians[i];
    if (!m) continue;
    const half = (medianLabel(m).length * LABEL_PX_PER_CHAR + LABEL_PAD_PX) / 2;
    const x = m.median_days * pxPerDay;
    let row = rowEnds.findIndex((end) => end <= x - half);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = x + half;
    rows[i] = row;
  }
  return rows;
}

function medianLabel(m: { median_days: number }): string {
  return `${m.median_days} d`;
}

/** Kaplan–Meier step curves with log-scale 95% CI bands, medians marked at S = 0.5. */
export function kmChart(data: KmData, opts: KmChartOptions = {}): ChartElement {
  const rows = kmRows(data);
  const hidden = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  const minCell = data.min_cell ?? 11;
  if (rows.length === 0) return withSuppressedGroups(emptyState(NO_DATA, opts.document), hidden, minCell, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const medians = kmMedians(data);
  const width = opts.width ?? DEFAULT_WIDTH;
  const [marginLeft, marginRight] = [50, 20];
  // The same nice domain Plot draws, so label spacing is measured in the pixels it will use. It
  // holds the medians too: a curve whose tail is withheld stops short of its published median, whose
  // dot and label were drawn past the frame.
  const last = Math.max(1, ...rows.map((r) => r.day), ...medians.map((m) => m.median_days));
  const xMax = Number([...(Plot.scale({ x: { domain: [0, last], nice: true } }).domain ?? [])].at(-1) ?? 1);
  const labelRows = medianLabelRows(medians, (width - marginLeft - marginRight) / xMax);
  const labelled = medians.map((m, i) => ({ ...m, row: labelRows[i] ?? 0 }));
  return withSuppressedGroups(Plot.plot({
    ...baseOptions(opts),
    height: 320,
    marginLeft,
    marginRight,
    caption: logRankCaption(data.log_rank),
    x: { label: opts.xLabel ?? 'Days since admission →', grid: true, domain: [0, xMax] },
    y: { label: opts.yLabel ?? '↑ Retained (%)', domain: [0, 100], percent: true, grid: true },
    color: colourScale(groups),
    marks: [
      Plot.areaY(rows, { x: 'day', y1: 'lower', y2: 'upper', fill: 'group', fillOpacity: 0.15, curve: 'step-after' }),
      Plot.lineY(rows, { x: 'day', y: 'survival', stroke: 'group', strokeWidth: 2, curve: 'step-after', tip: true }),
      Plot.ruleY([0.5], { stroke: '#999', strokeDasharray: '4,3' }),
      Plot.dot(medians, { x: 'median_days', y: 'survival', stroke: 'group', fill: 'white', r: 5, strokeWidth: 2, title: (d: { group: string; median_days: number }) => `${d.group}: median ${d.median_days} days` }),
      // One text mark per label row: Plot's dy is a constant, so stacked rows are separate marks.
      ...[...new Set(labelRows)].map((row) =>
        Plot.text(labelled.filter((m) => m.row === row), { x: 'median_days', y: 'survival', text: medianLabel, dy: -12 - LABEL_ROW_PX * row, fill: 'group' })),
      Plot.ruleY([0]),
    ],
  }), hidden, minCell, opts.document);
}
