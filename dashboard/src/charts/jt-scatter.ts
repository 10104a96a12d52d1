import * as Plot from '@observablehq/plot';
import { groupLabel, isGroupSuppressed, shownGroups } from '../format';
import type { Instrument, SymptomsResponse } from '../types';
import { baseOptions, colourScale, emptyState, isNumber, NO_DATA, type ChartElement, type ChartOptions } from './common';

export interface ScatterRow {
  group: string;
  baseline: number;
  followup: number;
  n: number;
}

export function scatterRows(data: SymptomsResponse): ScatterRow[] {
  return data.groups.flatMap((g) =>
    isGroupSuppressed(g) ? [] : (g.scatter ?? []).map((c) => ({ group: groupLabel(g.key), baseline: c.baseline, followup: c.followup, n: c.n })),
  );
}

function definitionNumber(data: SymptomsResponse, field: string): number | null {
  const v = data.definition[field];
  return isNumber(v) ? v : null;
}

/** RC thresholds in use: a group's own, else the definition's (docs/metrics.md "Symptom change"). */
export function rcThresholds(data: SymptomsResponse): number[] {
  const own = shownGroups(data.groups).map((g) => g.rc_threshold).filter(isNumber);
  const all = own.length > 0 ? own : [definitionNumber(data, 'rc_threshold')].filter(isNumber);
  return [...new Set(all)].sort((a, b) => a - b);
}

export function clinicalCutoff(data: SymptomsResponse, instrument?: Instrument): number | null {
  if (isNumber(instrument?.clinical_cutoff)) return instrument.clinical_cutoff;
  return definitionNumber(data, 'clinical_cutoff');
}

function scoreDomain(rows: readonly ScatterRow[], instrument?: Instrument): [number, number] {
  if (instrument) return [instrument.min_score, instrument.max_score];
  const values = rows.flatMap((r) => [r.baseline, r.followup]);
  return [Math.min(0, ...values), Math.max(...values)];
}

/**
 * The Jacobson–Truax plot: follow-up against baseline, with the no-change diagonal, the band of
 * changes smaller than RC around it, and the clinical cutoff on both axes (Jacobson & Truax 1991).
 */
export function jtScatterChart(data: SymptomsResponse, opts: ChartOptions & { instrument?: Instrument } = {}): ChartElement {
  const rows = scatterRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const [lo, hi] = scoreDomain(rows, opts.instrument);
  const code = opts.instrument?.code ?? String(data.filters.instrument ?? data.definition.instrument ?? '');
  const cutoff = clinicalCutoff(data, opts.instrument);
  const bands = rcThresholds(data).map((rc) => [
    { x: lo, y1: lo - rc, y2: lo + rc, rc },
    { x: hi, y1: hi - rc, y2: hi + rc, rc },
  ]);
  const groups = [...new Set(rows.map((r) => r.group))];
  const size = Math.min(opts.width ?? 480, 480);
  return Plot.plot({
    ...baseOptions(opts),
    width: size,
    height: size,
    marginLeft: 50,
    x: { label: `Baseline ${code} score (points) →`, domain: [lo, hi] },
    y: { label: `↑ Follow-up ${code} score (points)`, domain: [lo, hi] },
    r: { range: [2, 12] },
    color: colourScale(groups),
    marks: [
      ...bands.map((band) => Plot.areaY(band, { x: 'x', y1: 'y1', y2: 'y2', fill: '#888', fillOpacity: 0.15, clip: true })),
      Plot.line([[lo, lo], [hi, hi]], { stroke: '#666', strokeDasharray: '4,3' }),
      ...(cutoff === null ? [] : [Plot.ruleX([cutoff], { stroke: '#333' }), Plot.ruleY([cutoff], { stroke: '#333' })]),
      Plot.dot(rows, {
        x: 'baseline',
        y: 'followup',
        r: 'n',
        fill: 'group',
        fillOpacity: 0.7,
        stroke: 'white',
        title: (d: ScatterRow) => `${d.group}: baseline ${d.baseline}, follow-up ${d.followup}, ${d.n} episodes`,
      }),
      Plot.frame({ stroke: '#ccc' }),
    ],
  });
}
