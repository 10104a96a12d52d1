import * as Plot from '@observablehq/plot';
import { groupLabel, isGroupSuppressed, pValue, shownGroups } from '../format';
import type { GroupBase, KmFields, LogRank, SuppressedGroup } from '../types';
import { baseOptions, colourScale, emptyState, isNumber, NO_DATA, type ChartElement, type ChartOptions } from './common';

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

/** Kaplan–Meier step curves with log-scale 95% CI bands, medians marked at S = 0.5. */
export function kmChart(data: KmData, opts: KmChartOptions = {}): ChartElement {
  const rows = kmRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const medians = kmMedians(data);
  return Plot.plot({
    ...baseOptions(opts),
    height: 320,
    marginLeft: 50,
    caption: logRankCaption(data.log_rank),
    x: { label: opts.xLabel ?? 'Days since admission →', grid: true, nice: true },
    y: { label: opts.yLabel ?? '↑ Retained (%)', domain: [0, 100], percent: true, grid: true },
    color: colourScale(groups),
    marks: [
      Plot.areaY(rows, { x: 'day', y1: 'lower', y2: 'upper', fill: 'group', fillOpacity: 0.15, curve: 'step-after' }),
      Plot.lineY(rows, { x: 'day', y: 'survival', stroke: 'group', strokeWidth: 2, curve: 'step-after', tip: true }),
      Plot.ruleY([0.5], { stroke: '#999', strokeDasharray: '4,3' }),
      Plot.dot(medians, { x: 'median_days', y: 'survival', stroke: 'group', fill: 'white', r: 5, strokeWidth: 2, title: (d: { group: string; median_days: number }) => `${d.group}: median ${d.median_days} days` }),
      Plot.text(medians, { x: 'median_days', y: 'survival', text: (d: { median_days: number }) => `${d.median_days} d`, dy: -12, fill: 'group' }),
      Plot.ruleY([0]),
    ],
  });
}
