import { groupLabel, isGroupSuppressed } from '../format';
import type { Instrument, SymptomsResponse } from '../types';
import { type ChartElement, type ChartOptions } from './common';
import { bandLineChart, type BandRow } from './band-line';

export function trajectoryRows(data: SymptomsResponse): BandRow[] {
  return data.groups.flatMap((g) =>
    isGroupSuppressed(g)
      ? []
      : (g.trajectory ?? []).map((t) => ({ group: groupLabel(g.key), week: t.week, value: t.mean, lower: t.lower, upper: t.upper, n: t.n, suppressed: t.mean === null && t.n !== 0 })),
  );
}

/** Mean weekly score by group with 95% t-interval bands (docs/metrics.md "Symptom change"). */
export function trajectoryChart(data: SymptomsResponse, opts: ChartOptions & { instrument?: Instrument } = {}): ChartElement {
  const code = opts.instrument?.code ?? String(data.filters.instrument ?? data.definition.instrument ?? 'score');
  const better = opts.instrument?.higher_is_better ? 'higher is better' : 'lower is better';
  const domain: [number, number] | undefined = opts.instrument ? [opts.instrument.min_score, opts.instrument.max_score] : undefined;
  return bandLineChart(trajectoryRows(data), {
    ...opts,
    minCell: data.min_cell,
    hiddenGroups: data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key)),
    yLabel: `↑ Mean ${code} score (points; ${better})`,
    ...(domain ? { yDomain: domain } : {}),
  });
}
